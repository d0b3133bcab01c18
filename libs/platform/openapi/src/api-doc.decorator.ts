import { SetMetadata } from '@nestjs/common';
import type { z } from 'zod';

/** Metadata key of the scopes a route requires; set by `@RequireScope` (@klaxon/platform/auth), read here. */
export const REQUIRED_SCOPES_KEY = 'klaxon:required-scopes';
export const API_DOC_KEY = 'klaxon:api-doc';

export interface ApiResponseDoc {
  description: string;
  /** The JSON body; its JSON Schema is generated from the zod schema. */
  schema?: z.ZodType;
  /** Defaults to application/json when a schema is given. */
  contentType?: string;
}

/** How a route is documented in the OpenAPI document at /api/docs. Every schema is the zod schema the route really uses. */
export interface ApiDocOptions {
  summary: string;
  description?: string;
  tags?: string[];
  body?: z.ZodType;
  /** Request body media type; defaults to application/json. */
  bodyContentType?: string;
  query?: z.ZodType;
  headers?: Array<{ name: string; description: string; required?: boolean; schema?: z.ZodType }>;
  responses?: Record<number, ApiResponseDoc>;
  /** Leave a route out of the document (e.g. the docs themselves). */
  hidden?: boolean;
}

/**
 * Documents a controller method. Routes without it are still listed (method and path, found by
 * scanning the app's controllers); with it they get their summary and request/response schemas.
 */
export const ApiDoc = (options: ApiDocOptions): MethodDecorator => SetMetadata(API_DOC_KEY, options);
