import type { z } from 'zod';
import { ApiError } from './api-error';

/** Validates a request part with a zod schema; the first problem becomes a 400 naming its field. */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, what = 'body'): z.output<T> {
  if (input === undefined || input === null || (what === 'body' && typeof input !== 'object')) {
    throw ApiError.badRequest('invalid-body', `The request ${what} must be a JSON object`);
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.join('.') || undefined;
  const code =
    issue.code === 'unrecognized_keys'
      ? 'unknown-field'
      : issue.path.length
        ? 'invalid-field'
        : 'invalid-body';
  const message =
    issue.code === 'unrecognized_keys'
      ? `Unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`
      : `${field ?? what}: ${issue.message}`;
  throw ApiError.badRequest(
    code,
    message,
    issue.code === 'unrecognized_keys' ? [field, issue.keys[0]].filter(Boolean).join('.') : field,
  );
}
