import { PermanentMessageError, TransientError } from './errors';

/**
 * What a failure says about retrying:
 * - `transient`: a dependency is away (database, broker, network); the same work succeeds later;
 * - `permanent`: the input itself is wrong; retrying never helps;
 * - `unknown`: cannot tell; a consumer retries a few times and then treats it as the message's fault.
 */
export type FailureKind = 'transient' | 'permanent' | 'unknown';

export interface Classification {
  kind: FailureKind;
  /** A short kebab-case reason for logs, metrics and the health answer, e.g. `sqlstate-08006`, `econnrefused`. */
  reason: string;
}

/** SQLSTATE classes / codes that mean the database is away or busy, not that the statement is wrong. */
const TRANSIENT_SQLSTATE = [/^08/, /^53/, /^57P/, /^40001$/, /^40P01$/];
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Node's socket and DNS error codes (also used by nodemailer, imapflow, fetch and twitter-api-v2 causes). */
const TRANSIENT_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** nodemailer's connection-level codes and imapflow's. */
const TRANSIENT_MAIL_CODES = new Set([
  'ECONNECTION',
  'ESOCKET',
  'EDNS',
  'ETIMEOUT',
  'NoConnection',
  'EConnectionClosed',
  'ClosedAfterConnectTLS',
  'ClosedAfterConnectText',
]);

/** What `pg` (and its pool) throw without a code when the server goes away. */
const TRANSIENT_MESSAGES = [
  /^Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /terminating connection due to administrator command/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /Client was closed and is not queryable/i,
];

type ErrorLike = {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  retriable?: unknown;
  responseCode?: unknown;
  rateLimitError?: unknown;
  cause?: unknown;
  driverError?: unknown;
  originalError?: unknown;
  requestError?: unknown;
  errors?: unknown;
};

function own(error: ErrorLike, depth: number): Classification | null {
  const name = typeof error.name === 'string' ? error.name : '';
  if (error instanceof PermanentMessageError || name === 'PermanentMessageError')
    return { kind: 'permanent', reason: String(error.code ?? 'permanent') };
  if (error instanceof TransientError) return { kind: 'transient', reason: error.reason };
  if (name === 'TransientError') return { kind: 'transient', reason: 'transient' };

  // Wrapped errors first: TypeORM's QueryFailedError (driverError), kafkajs (originalError), fetch /
  // undici (cause), twitter-api-v2 (requestError), Node's happy-eyeballs connect (AggregateError).
  for (const inner of [error.driverError, error.originalError, error.requestError, error.cause]) {
    const c = inner && typeof inner === 'object' ? walk(inner as ErrorLike, depth + 1) : null;
    if (c?.kind === 'transient') return c;
  }
  if (Array.isArray(error.errors)) {
    for (const inner of error.errors) {
      const c = inner && typeof inner === 'object' ? walk(inner as ErrorLike, depth + 1) : null;
      if (c?.kind === 'transient') return c;
    }
  }

  const code = typeof error.code === 'string' ? error.code : '';
  if (code && SQLSTATE.test(code) && TRANSIENT_SQLSTATE.some((re) => re.test(code)))
    return { kind: 'transient', reason: `sqlstate-${code.toLowerCase()}` };
  if (TRANSIENT_ERRNO.has(code)) return { kind: 'transient', reason: code.toLowerCase().replace(/_/g, '-') };
  if (TRANSIENT_MAIL_CODES.has(code)) return { kind: 'transient', reason: `mail-${code.toLowerCase()}` };
  // kafkajs marks what a retry may fix.
  if (error.retriable === true || /^KafkaJS(Connection|RequestTimeout|BrokerNotFound)/.test(name))
    return { kind: 'transient', reason: 'kafka-retriable' };
  // SMTP 4xx replies are temporary by definition (RFC 5321).
  if (typeof error.responseCode === 'number' && error.responseCode >= 400 && error.responseCode < 500)
    return { kind: 'transient', reason: `smtp-${error.responseCode}` };
  // twitter-api-v2's ApiResponseError: rate limits and 5xx.
  if (
    name === 'ApiResponseError' &&
    typeof error.code === 'number' &&
    (error.code === 429 || error.code >= 500)
  )
    return { kind: 'transient', reason: `http-${error.code}` };
  const message = typeof error.message === 'string' ? error.message : '';
  if (TRANSIENT_MESSAGES.some((re) => re.test(message)))
    return { kind: 'transient', reason: 'connection-lost' };
  return null;
}

function walk(error: ErrorLike, depth: number): Classification | null {
  return depth > 5 ? null : own(error, depth);
}

/** Tells transient from permanent failures, the one place that knows the drivers' error shapes. */
export function classify(error: unknown): Classification {
  if (error && typeof error === 'object') {
    const c = walk(error as ErrorLike, 0);
    if (c) return c;
  }
  return { kind: 'unknown', reason: 'unknown' };
}

export const isTransient = (error: unknown): boolean => classify(error).kind === 'transient';
export const isPermanent = (error: unknown): boolean => classify(error).kind === 'permanent';
