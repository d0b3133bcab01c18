import { ArgumentsHost, Catch, HttpException, HttpStatus, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from '@klaxon/platform/observability';
import type { ApiErrorBody } from './api-error';

/** Fastify's own errors (body too large, bad JSON, wrong content type) mapped to stable codes. */
const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload-too-large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported-media-type' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid-json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid-content-length' },
};

/** Errors Nest raised on our behalf (the body parser's among them), by HTTP status. */
const STATUS_CODES: Record<number, string> = {
  404: 'not-found',
  405: 'method-not-allowed',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  429: 'rate-limited',
};

/** Every error leaves the API in the one shape; unexpected ones are logged with their cause. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = this.toBody(exception);
    if (status >= 500) this.logger.error({ err: exception }, 'request failed');
    void reply.status(status).send(body);
  }

  private toBody(exception: unknown): { status: number; body: ApiErrorBody } {
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      if (
        typeof response === 'object' &&
        response !== null &&
        'error' in response &&
        typeof response.error === 'object'
      ) {
        return { status: exception.getStatus(), body: response as ApiErrorBody };
      }
      const status = exception.getStatus();
      const code =
        STATUS_CODES[status] ??
        (status === 400 && /json/i.test(exception.message) ? 'invalid-json' : `http-${status}`);
      return { status, body: { error: { code, message: exception.message } } };
    }
    const fastifyCode = (exception as { code?: string })?.code;
    const mapped = fastifyCode ? FASTIFY_CODES[fastifyCode] : undefined;
    if (mapped)
      return {
        status: mapped.status,
        body: { error: { code: mapped.code, message: (exception as Error).message } },
      };
    if (exception instanceof SyntaxError || (exception as { statusCode?: number })?.statusCode === 400) {
      return {
        status: 400,
        body: { error: { code: 'invalid-json', message: (exception as Error).message } },
      };
    }
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { error: { code: 'internal', message: 'Something went wrong on our side' } },
    };
  }
}
