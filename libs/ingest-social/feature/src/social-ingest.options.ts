import { z } from 'zod';
import { parseSocialQuery, type SocialQuery, type SocialSource } from '@klaxon/ingest-social/domain';
import { parseEnv, positiveInt, type Env } from '@klaxon/platform/config';
import type { Logger } from '@klaxon/platform/observability';
import { DEFAULT_X_API_BASE_URL } from './x/x-client';

/** Reconnect backoff (the platform's `backoffDelay`: doubling from initialMs, jittered, capped at maxMs). */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export interface XChannelOptions {
  bearerToken: string;
  /** The brand's handles and keywords, e.g. `@klaxonbank, klaxon bank`. */
  query: SocialQuery | string;
  baseUrl?: string;
  /** Extra CA (PEM) to trust for baseUrl; in apps use NODE_EXTRA_CA_CERTS instead. */
  ca?: string;
  pageSize?: number;
  keepAliveTimeoutMs?: number;
}

export interface SocialIngestModuleOptions {
  x?: XChannelOptions;
  /** Further networks: each factory builds one adapter behind the SocialSource port. */
  sources?: Array<(logger: Logger) => SocialSource>;
  pollIntervalMs?: number;
  authRetryMs?: number;
  /** Second search over the last catch-up's range, for posts the search indexed late (0: off). */
  resweepDelayMs?: number;
  reconnect?: BackoffPolicy;
}

export const SOCIAL_INGEST_OPTIONS = Symbol('SOCIAL_INGEST_OPTIONS');

const socialQuery = z.string().transform((raw, ctx) => {
  try {
    return parseSocialQuery(raw);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** The X channel's environment; documented in README.md ("Social: X"). */
export const socialEnvShape = {
  X_BEARER_TOKEN: z.string().min(10, 'must be an X API bearer token').optional(),
  X_QUERY: socialQuery.optional(),
  X_API_BASE_URL: z
    .url({ protocol: /^https$/, error: 'must be an https:// URL' })
    .default(DEFAULT_X_API_BASE_URL),
  X_POLL_INTERVAL_MS: positiveInt.default(60_000),
  X_RECONNECT_INITIAL_MS: positiveInt.default(1_000),
  X_RECONNECT_MAX_MS: positiveInt.default(60_000),
  X_AUTH_RETRY_MS: positiveInt.default(300_000),
  X_KEEPALIVE_TIMEOUT_MS: positiveInt.default(60_000),
  X_RESWEEP_DELAY_MS: z.coerce.number().int().nonnegative().default(30_000),
};

/**
 * Parses the X settings (apps pass their environment, once, at start-up). Returns undefined when
 * X_BEARER_TOKEN is unset and `required` is false (the all-in-one app then runs without X).
 */
export function socialOptionsFromEnv(env: Env, required: boolean): SocialIngestModuleOptions | undefined {
  const e = parseEnv(socialEnvShape, env);
  if (!e.X_BEARER_TOKEN) {
    if (required) parseEnv({ X_BEARER_TOKEN: z.string({ error: 'is required' }) }, env);
    return undefined;
  }
  if (!e.X_QUERY)
    parseEnv(
      {
        X_QUERY: z.string({
          error: 'is required with X_BEARER_TOKEN (handles and keywords, e.g. "@klaxonbank, klaxon bank")',
        }),
      },
      env,
    );
  return {
    x: {
      bearerToken: e.X_BEARER_TOKEN,
      query: e.X_QUERY as SocialQuery,
      baseUrl: e.X_API_BASE_URL,
      keepAliveTimeoutMs: e.X_KEEPALIVE_TIMEOUT_MS,
    },
    pollIntervalMs: e.X_POLL_INTERVAL_MS,
    authRetryMs: e.X_AUTH_RETRY_MS,
    resweepDelayMs: e.X_RESWEEP_DELAY_MS,
    reconnect: { initialMs: e.X_RECONNECT_INITIAL_MS, maxMs: e.X_RECONNECT_MAX_MS },
  };
}
