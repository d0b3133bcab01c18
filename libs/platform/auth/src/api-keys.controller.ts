import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { API_KEY_SCOPES } from '@klaxon/platform/config';
import { ApiDoc } from '@klaxon/platform/openapi';
import { httpError } from './auth-errors';
import { ApiKeyStore, type ApiKeyRecord } from './api-key.store';
import { CurrentPrincipal, RequireScope } from './decorators';
import type { Principal } from './principal';

export const createApiKeySchema = z
  .object({
    name: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._ -]{1,64}$/, 'must be 1-64 of letters, digits, space . _ -'),
    scopes: z.array(z.enum(API_KEY_SCOPES)).min(1, 'give at least one scope'),
  })
  .strict();

const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.enum(API_KEY_SCOPES)),
  prefix: z.string().nullable(),
  source: z.enum(['api', 'config']),
  createdAt: z.iso.datetime({ offset: true }),
  createdBy: z.string().nullable(),
  revokedAt: z.iso.datetime({ offset: true }).nullable(),
  lastUsedAt: z.iso.datetime({ offset: true }).nullable(),
});
const createdApiKeySchema = apiKeySchema.extend({
  key: z.string().describe('The key itself: shown this once, store it safely'),
});
const listQuerySchema = z.object({ includeRevoked: z.enum(['true', 'false']).optional() }).strict();

/** Validates with zod; the first problem becomes a 400 naming its field (the runtime's parseOrThrow, which this lib cannot import). */
function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  if (input === null || typeof input !== 'object')
    throw httpError(HttpStatus.BAD_REQUEST, 'invalid-body', 'The request body must be a JSON object');
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue.code === 'unrecognized_keys')
    throw httpError(
      HttpStatus.BAD_REQUEST,
      'unknown-field',
      `Unknown field: ${issue.keys.join(', ')}`,
      issue.keys[0],
    );
  const field = issue.path.join('.');
  throw httpError(HttpStatus.BAD_REQUEST, 'invalid-field', `${field}: ${issue.message}`, field || undefined);
}

/** Create, list and revoke API keys (scope `admin`). */
@Controller('api/api-keys')
@RequireScope('admin')
export class ApiKeysController {
  constructor(private readonly store: ApiKeyStore) {}

  @Post()
  @HttpCode(201)
  @ApiDoc({
    summary: 'Create an API key (with at most the scopes the caller holds)',
    tags: ['api keys'],
    body: createApiKeySchema,
    responses: {
      201: { description: 'The key, shown only in this answer', schema: createdApiKeySchema },
      403: { description: 'A scope the caller does not hold' },
    },
  })
  create(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ApiKeyRecord & { key: string }> {
    const { name, scopes } = parse(createApiKeySchema, body);
    // A caller grants only what it holds itself: `admin` alone does not mint a key that reads or acts.
    const beyond = scopes.filter((s) => !principal.scopes.includes(s));
    if (beyond.length)
      throw httpError(
        HttpStatus.FORBIDDEN,
        'forbidden',
        `You cannot grant scopes you do not hold: ${beyond.join(', ')}`,
      );
    return this.store.create(name, [...new Set(scopes)], `${principal.kind}:${principal.id}`);
  }

  @Get()
  @ApiDoc({
    summary: 'List API keys (never the keys themselves)',
    tags: ['api keys'],
    query: listQuerySchema,
    responses: {
      200: {
        description: 'The keys',
        schema: z.object({ items: z.array(apiKeySchema), total: z.number().int() }),
      },
    },
  })
  async list(@Query() query: Record<string, string>): Promise<{ items: ApiKeyRecord[]; total: number }> {
    const q = parse(listQuerySchema, query ?? {});
    const items = await this.store.list(q.includeRevoked === 'true');
    return { items, total: items.length };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiDoc({
    summary: 'Revoke an API key (at once on this replica, within seconds on others)',
    tags: ['api keys'],
    responses: { 204: { description: 'Revoked' }, 404: { description: 'No such key' } },
  })
  async revoke(@Param('id') id: string): Promise<void> {
    if (!(await this.store.revoke(id)))
      throw httpError(HttpStatus.NOT_FOUND, 'not-found', `api key ${id} does not exist`);
  }
}
