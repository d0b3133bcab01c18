import type { EncodedEvent, TopicSpec } from '@klaxon/contracts';
import type { ConsumerStall } from './consumer-stalls';

/** A message as it goes out: exactly what contracts' `encodeEvent` produces. */
export type OutgoingMessage = EncodedEvent;

/** A message as a consumer sees it, independent of the bus implementation. */
export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * Failure policy of a subscription: a failure that follows the message gets bounded retries with
 * backoff, then the dead-letter topic; a transient one (`classify`) is retried without end.
 */
export interface RetryPolicy {
  /** Attempts per message before it is dead-lettered (1 = no retry). */
  attempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Longest wait between tries of a batch held by a transient failure (default 10 s). */
  transientMaxBackoffMs?: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 3, initialBackoffMs: 100, maxBackoffMs: 2_000 };

/** One message of a batch the handler could not process, while it did process the others. */
export interface MessageRejection {
  message: IncomingMessage;
  /** A `PermanentMessageError` dead-letters it at once; anything else retries it on its own first. */
  error: unknown;
}

/** What a handler may return instead of failing the whole batch: the messages it rejects. */
export interface BatchOutcome {
  rejected: MessageRejection[];
}

/**
 * Handles one batch: messages of one or more partitions, each partition's in offset order (so a key's
 * messages keep their order; across keys there is none). Throwing fails the batch: it is
 * retried, then split so that only the messages that keep failing are dead-lettered and the rest of
 * the partition moves on. Throw `PermanentMessageError` to dead-letter without retrying. To reject
 * single messages and keep the effects on the others, return `{ rejected: [...] }`.
 */
export type BatchHandler = (messages: IncomingMessage[]) => Promise<void | BatchOutcome>;

export interface SubscribeOptions {
  groupId: string;
  topics: string[];
  handler: BatchHandler;
  retry?: RetryPolicy;
  /** Upper bound on messages handed to one handler call. */
  maxBatchSize?: number;
  /** A new group starts at the end of each partition instead of its beginning (live views that want only what happens from now on). */
  fromLatest?: boolean;
}

export interface Subscription {
  /** Stops fetching, lets the in-flight batch finish, commits, and leaves the group. */
  stop(): Promise<void>;
}

export interface MessageBus {
  /** Resolves once every message is durably accepted by the bus (Kafka: acks from all in-sync replicas). */
  publish(messages: OutgoingMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Creates missing topics where the bus can; where it cannot (mock cluster), checks they resolve. */
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  /** Health for readiness probes: false while any consumer is stalled, too. */
  isHealthy(): boolean;
  /** Consumers retrying a batch because a dependency is away (the reason for a not-ready answer). */
  stalls(): ConsumerStall[];
  close(): Promise<void>;
}

/** Moved to `@klaxon/platform/errors`; re-exported here for the consumers that import it from the bus. */
export { PermanentMessageError, TransientError } from '@klaxon/platform/errors';

export const MESSAGE_BUS = Symbol('MESSAGE_BUS');
