import { z } from 'zod';
import type { ApiDocOptions } from './api-doc.decorator';

export interface DocumentedRoute {
  method: string;
  /** Nest style, e.g. `/api/complaints/:id`. */
  path: string;
  doc?: ApiDocOptions;
  /** Scopes of which the caller needs one; undefined = public. */
  scopes?: string[];
}

type Json = Record<string, unknown>;

/** The one error shape, for every 4xx/5xx response. */
export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});

/** JSON Schema (2020-12, what OpenAPI 3.1 uses) from a zod schema, as a request (input) or a response (output). */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  delete out.$schema;
  return out;
}

const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function parameters(route: DocumentedRoute): Json[] {
  const params: Json[] = [];
  for (const [, name] of route.path.matchAll(/:([A-Za-z0-9_]+)/g))
    params.push({ name, in: 'path', required: true, schema: { type: 'string' } });
  const query = route.doc?.query ? jsonSchemaOf(route.doc.query, 'input') : null;
  const required = new Set((query?.required as string[] | undefined) ?? []);
  for (const [name, schema] of Object.entries(
    (query?.properties as Record<string, Json> | undefined) ?? {},
  )) {
    params.push({ name, in: 'query', required: required.has(name), schema });
  }
  for (const h of route.doc?.headers ?? []) {
    params.push({
      name: h.name,
      in: 'header',
      required: h.required ?? false,
      description: h.description,
      schema: h.schema ? jsonSchemaOf(h.schema, 'input') : { type: 'string' },
    });
  }
  return params;
}

function operation(route: DocumentedRoute): Json {
  const doc = route.doc;
  const op: Json = {
    operationId: `${route.method.toLowerCase()}${openApiPath(route.path)
      .replace(/[{}]/g, '')
      .replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    summary: doc?.summary ?? `${route.method} ${route.path}`,
    ...(doc?.description ? { description: doc.description } : {}),
    ...(doc?.tags ? { tags: doc.tags } : {}),
  };
  const params = parameters(route);
  if (params.length) op.parameters = params;
  if (doc?.body) {
    op.requestBody = {
      required: true,
      content: { [doc.bodyContentType ?? 'application/json']: { schema: jsonSchemaOf(doc.body, 'input') } },
    };
  }
  const responses: Json = {};
  for (const [status, r] of Object.entries(doc?.responses ?? {})) {
    responses[status] = {
      description: r.description,
      ...(r.schema || r.contentType
        ? {
            content: {
              [r.contentType ?? 'application/json']: r.schema
                ? { schema: jsonSchemaOf(r.schema, 'output') }
                : {},
            },
          }
        : {}),
    };
  }
  const error = (description: string) => ({
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  });
  if (doc?.body || doc?.query) responses['400'] ??= error('Invalid request: the error names the field');
  if (route.scopes) {
    op.security = [{ apiKey: [] }];
    op['x-required-scopes'] = route.scopes;
    op.description = [
      op.description,
      `Requires an API key with scope ${route.scopes.map((s) => `\`${s}\``).join(' or ') || '(any)'}.`,
    ]
      .filter(Boolean)
      .join('\n\n');
    responses['401'] ??= error('No valid API key (`unauthenticated`)');
    responses['403'] ??= error('The key lacks the required scope (`forbidden`)');
  }
  if (!Object.keys(responses).length) responses.default = { description: 'Response' };
  op.responses = responses;
  return op;
}

/** An OpenAPI 3.1 document for the given routes. */
export function buildOpenApiDocument(
  info: { title: string; version: string; description?: string },
  routes: DocumentedRoute[],
): Json {
  const paths: Record<string, Json> = {};
  for (const route of [...routes].sort((a, b) => a.path.localeCompare(b.path))) {
    if (route.doc?.hidden) continue;
    (paths[openApiPath(route.path)] ??= {})[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      schemas: { Error: jsonSchemaOf(errorBodySchema, 'output') },
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer <key>`' },
      },
    },
  };
}
