import { z } from 'zod';
import { buildOpenApiDocument } from './openapi.document';

describe('buildOpenApiDocument', () => {
  const body = z
    .object({ text: z.string().trim().min(1), page: z.coerce.number().int().default(1) })
    .strict();
  const doc = buildOpenApiDocument({ title: 't', version: '1' }, [
    {
      method: 'POST',
      path: '/api/things',
      doc: {
        summary: 'Make a thing',
        body,
        responses: { 202: { description: 'ok', schema: z.object({ id: z.string() }) } },
      },
      scopes: ['submit'],
    },
    {
      method: 'GET',
      path: '/api/things/:id',
      doc: { summary: 'One thing', query: z.object({ full: z.enum(['true', 'false']).optional() }) },
      scopes: ['read', 'admin'],
    },
    { method: 'GET', path: '/health/live' },
    { method: 'GET', path: '/api/docs', doc: { summary: 'hidden', hidden: true } },
  ]) as { paths: Record<string, Record<string, Record<string, unknown>>> };

  it('turns Nest paths and zod schemas into OpenAPI 3.1 operations', () => {
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/things', '/api/things/{id}', '/health/live']);
    const post = doc.paths['/api/things'].post;
    expect(post.operationId).toBe('postApiThings');
    expect(post.requestBody).toEqual({
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: {
              text: { type: 'string', minLength: 1 },
              page: expect.objectContaining({ type: 'integer', default: 1 }),
            },
            required: ['text'],
            additionalProperties: false,
          },
        },
      },
    });
    expect(Object.keys(post.responses as object).sort()).toEqual(['202', '400', '401', '403']);
    const get = doc.paths['/api/things/{id}'].get;
    expect(get.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'full', in: 'query', required: false, schema: { type: 'string', enum: ['true', 'false'] } },
    ]);
    expect(get['x-required-scopes']).toEqual(['read', 'admin']);
    expect(get.security).toEqual([{ apiKey: [] }]);
  });

  it('lists undocumented routes as public with a default response', () => {
    expect(doc.paths['/health/live'].get).toEqual({
      operationId: 'getHealthLive',
      summary: 'GET /health/live',
      responses: { default: { description: 'Response' } },
    });
  });
});
