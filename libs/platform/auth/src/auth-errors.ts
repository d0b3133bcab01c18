import { HttpException, HttpStatus } from '@nestjs/common';

/** The API's one error shape (same as ApiError in @klaxon/platform/runtime, which depends on this lib). */
export const httpError = (status: HttpStatus, code: string, message: string, field?: string) =>
  new HttpException({ error: { code, message, ...(field ? { field } : {}) } }, status);

export const unauthenticated = (message = 'Send a valid API key: Authorization: Bearer <key>') =>
  httpError(HttpStatus.UNAUTHORIZED, 'unauthenticated', message);
export const forbidden = (message: string) => httpError(HttpStatus.FORBIDDEN, 'forbidden', message);
