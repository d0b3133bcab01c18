import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * The one error shape of the HTTP API: `{ "error": { "code", "message", "field"? } }`.
 * Codes are stable kebab-case strings clients can switch on.
 */
export interface ApiErrorBody {
  error: { code: string; message: string; field?: string };
}

export class ApiError extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: string,
    message: string,
    readonly field?: string,
    cause?: unknown,
  ) {
    super({ error: { code, message, ...(field ? { field } : {}) } } satisfies ApiErrorBody, status, {
      cause,
    });
  }

  static badRequest(code: string, message: string, field?: string): ApiError {
    return new ApiError(HttpStatus.BAD_REQUEST, code, message, field);
  }

  static notFound(what: string, id: string): ApiError {
    return new ApiError(HttpStatus.NOT_FOUND, 'not-found', `${what} ${id} does not exist`);
  }

  static conflict(code: string, message: string): ApiError {
    return new ApiError(HttpStatus.CONFLICT, code, message);
  }
}
