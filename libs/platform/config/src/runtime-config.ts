import { z } from 'zod';
import { allTopics } from '@klaxon/contracts';
import { apiKeysVar, type ApiKeySeed } from './api-keys';
import { trustProxyVar } from './trust-proxy';
import { bool, ConfigError, csv, nonNegativeInt, parseEnv, port, positiveInt, type Env } from './parse-env';

/** The settings every Klaxon app shares. Each variable is documented in README.md. */
export const runtimeEnvShape = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Set: talk to real Kafka. Unset: the in-process bus (embedded mode only). */
  KAFKA_BROKERS: csv.optional(),
  KAFKA_CLIENT_ID: z.string().default('klaxon'),
  /** Consumer group tuning; short values suit tests against the mock cluster. */
  KAFKA_SESSION_TIMEOUT_MS: positiveInt.default(30_000),
  KAFKA_HEARTBEAT_INTERVAL_MS: positiveInt.default(3_000),
  KAFKA_REBALANCE_TIMEOUT_MS: positiveInt.default(60_000),
  /** Longest a fetch waits for data: the latency floor of each hop when idle. */
  KAFKA_MAX_WAIT_MS: positiveInt.default(200),
  KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY: positiveInt.default(12),
  KAFKA_CONSUMER_LINGER_MS: nonNegativeInt.default(20),
  KAFKA_CONSUMER_CONCURRENCY: positiveInt.default(1),
  /** Idempotent producer (a retried send is written once); off only where a broker cannot (InitProducerId). */
  KAFKA_IDEMPOTENT_PRODUCER: bool.default(true),
  /** Set: real PostgreSQL. Unset: embedded PGlite (embedded mode only). */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATABASE_POOL_MAX: positiveInt.default(10),
  /** Run migrations at start-up (off in Kubernetes, where a Job runs them once per release). */
  DATABASE_MIGRATE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  PORT: port.optional(),
  /** Unset: 0.0.0.0, except the embedded demo (no DATABASE_URL), which listens on 127.0.0.1 only. */
  HOST: z.string().trim().min(1).optional(),
  /**
   * The proxies whose X-Forwarded-For is believed: `off` (the default: the client address is the
   * peer's own) or a comma-separated list of addresses / CIDR ranges (e.g. the ingress's pod range).
   */
  TRUST_PROXY: trustProxyVar.optional(),
  /** Consumer batch size: messages handed to one handler call. */
  CONSUMER_BATCH_SIZE: positiveInt.default(500),
  /** Graceful shutdown: longest wait for in-flight work after SIGTERM. */
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(20_000),
  /** Console sign-in limits: attempts that did not succeed per client address and per account, within the window. */
  LOGIN_MAX_PER_IP: positiveInt.default(20),
  LOGIN_MAX_PER_ACCOUNT: positiveInt.default(5),
  LOGIN_WINDOW_S: positiveInt.default(900),
  /** Password checks (scrypt) at once, and how many sign-ins may wait for one (beyond: 503). */
  LOGIN_MAX_CONCURRENT: positiveInt.default(2),
  LOGIN_MAX_QUEUED: nonNegativeInt.default(16),
  /** API keys created at start-up: `name:key:scope+scope,...` (see api-keys.ts). */
  API_KEYS: apiKeysVar.optional(),
  /**
   * Days an idempotency claim (`processed_events`) is kept; must exceed every topic's retention,
   * dead-letter topics included (checked below), so a redelivered or replayed event is still known.
   */
  PROCESSED_EVENTS_RETENTION_DAYS: positiveInt.default(35),
};

/** The longest retention of any topic (dead-letter topics included), in days. */
export function longestTopicRetentionDays(): number {
  return Math.max(...allTopics().map((t) => t.retentionDays));
}

export interface RuntimeConfig {
  logLevel: string;
  kafka: {
    brokers: string[];
    clientId: string;
    idempotentProducer: boolean;
    consumer: {
      sessionTimeout: number;
      heartbeatInterval: number;
      rebalanceTimeout: number;
      maxWaitTimeInMs: number;
      partitionsConsumedConcurrently: number;
      lingerMs: number;
      concurrency: number;
    };
  } | null;
  database: { url: string; poolMax: number; migrate: boolean } | null;
  /** host undefined: the app's default (0.0.0.0; 127.0.0.1 for the embedded demo). trustProxy false: no proxy is believed. */
  http: { port: number | undefined; host: string | undefined; trustProxy: string[] | false };
  consumerBatchSize: number;
  shutdownTimeoutMs: number;
  apiKeys: ApiKeySeed[];
  processedEventsRetentionMs: number;
  login: {
    maxPerIp: number;
    maxPerAccount: number;
    windowMs: number;
    maxConcurrent: number;
    maxQueued: number;
  };
}

export function loadRuntimeConfig(env: Env): RuntimeConfig {
  const e = parseEnv(runtimeEnvShape, env);
  const longest = longestTopicRetentionDays();
  if (e.PROCESSED_EVENTS_RETENTION_DAYS <= longest)
    throw new ConfigError([
      `PROCESSED_EVENTS_RETENTION_DAYS: must be longer than the longest topic retention (${longest} days), got ${e.PROCESSED_EVENTS_RETENTION_DAYS}`,
    ]);
  return {
    logLevel: e.LOG_LEVEL,
    kafka: e.KAFKA_BROKERS
      ? {
          brokers: e.KAFKA_BROKERS,
          clientId: e.KAFKA_CLIENT_ID,
          idempotentProducer: e.KAFKA_IDEMPOTENT_PRODUCER,
          consumer: {
            sessionTimeout: e.KAFKA_SESSION_TIMEOUT_MS,
            heartbeatInterval: e.KAFKA_HEARTBEAT_INTERVAL_MS,
            rebalanceTimeout: e.KAFKA_REBALANCE_TIMEOUT_MS,
            maxWaitTimeInMs: e.KAFKA_MAX_WAIT_MS,
            partitionsConsumedConcurrently: e.KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY,
            lingerMs: e.KAFKA_CONSUMER_LINGER_MS,
            concurrency: e.KAFKA_CONSUMER_CONCURRENCY,
          },
        }
      : null,
    database: e.DATABASE_URL
      ? { url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX, migrate: e.DATABASE_MIGRATE }
      : null,
    http: { port: e.PORT, host: e.HOST, trustProxy: e.TRUST_PROXY ?? false },
    consumerBatchSize: e.CONSUMER_BATCH_SIZE,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    apiKeys: e.API_KEYS ?? [],
    processedEventsRetentionMs: e.PROCESSED_EVENTS_RETENTION_DAYS * 86_400_000,
    login: {
      maxPerIp: e.LOGIN_MAX_PER_IP,
      maxPerAccount: e.LOGIN_MAX_PER_ACCOUNT,
      windowMs: e.LOGIN_WINDOW_S * 1000,
      maxConcurrent: e.LOGIN_MAX_CONCURRENT,
      maxQueued: e.LOGIN_MAX_QUEUED,
    },
  };
}

/** A standalone app needs real Kafka and PostgreSQL; only the embedded `klaxon` app may go without. */
export function requireInfrastructure(
  config: RuntimeConfig,
  app: string,
): { kafka: NonNullable<RuntimeConfig['kafka']>; database: NonNullable<RuntimeConfig['database']> } {
  const missing = [!config.kafka && 'KAFKA_BROKERS', !config.database && 'DATABASE_URL'].filter(Boolean);
  if (missing.length) {
    throw new Error(
      `${app} runs against real Kafka and PostgreSQL: set ${missing.join(' and ')} (or use \`npm start\` for the embedded mode)`,
    );
  }
  return { kafka: config.kafka!, database: config.database! };
}
