import { deadLetterRecordSchema, deadLetterTopic, type DeadLetterRecord } from '@klaxon/contracts';
import { backoffDelay, classify, type Classification } from '@klaxon/platform/errors';
import type { Logger } from '@klaxon/platform/observability';
import {
  type BatchHandler,
  type BatchOutcome,
  type IncomingMessage,
  type OutgoingMessage,
  type RetryPolicy,
} from './bus.port';
import type { StallListener } from './consumer-stalls';

export interface RunBatchOptions {
  /** Messages of one or more partitions, each partition's in offset order. */
  messages: IncomingMessage[];
  handler: BatchHandler;
  retry: RetryPolicy;
  groupId: string;
  /** Where dead-letter records go (the bus's own publish). */
  publish: (messages: OutgoingMessage[]) => Promise<void>;
  logger: Logger;
  /** Aborting cuts retry back-off short: what is not settled yet stays uncommitted, for the next consumer. */
  signal?: AbortSignal;
  now?: () => Date;
  /** Told while a transient failure holds the batch (health goes not-ready), and when it went through. */
  stall?: StallListener;
}

export interface RunBatchResult {
  /** How many leading messages are settled (processed, or dead-lettered and the record published): commit up to here. */
  done: number;
  processed: number;
  deadLettered: number;
  /** Set when dead-letter records could not be published: commit `done`, then fail so the rest is read again. */
  error?: unknown;
}

class Aborted extends Error {}

/** A string error code for the dead-letter record. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length > 0 ? code : 'handler-failed';
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'object' && error && typeof (error as { message?: unknown }).message === 'string')
    return (error as { message: string }).message;
  return String(error);
}

export function isPermanent(error: unknown): boolean {
  return classify(error).kind === 'permanent';
}

/** The wait after `failedAttempts` failures: the platform's capped, jittered backoff. */
export function backoffMs(retry: RetryPolicy, failedAttempts: number): number {
  return backoffDelay(failedAttempts, { base: retry.initialBackoffMs, cap: retry.maxBackoffMs });
}

/** A transient failure is retried for as long as it takes; its waits grow up to this by default. */
export const TRANSIENT_MAX_BACKOFF_MS = 10_000;
/** While stalled, a warning every this many failed tries (the first one always). */
const STALL_LOG_EVERY = 10;

/** The dead-letter record of one message, validated, ready for `deadLetterTopic(message.topic)`. */
export function deadLetterMessage(
  message: IncomingMessage,
  o: { groupId: string; error: unknown; attempts: number; at: Date },
): OutgoingMessage {
  const record: DeadLetterRecord = deadLetterRecordSchema.parse({
    originalTopic: message.topic,
    partition: message.partition,
    offset: message.offset,
    consumerGroup: o.groupId,
    key: message.key,
    valueBase64: message.value === null ? null : message.value.toString('base64'),
    headers: message.headers,
    error: { code: errorCode(o.error), message: errorMessage(o.error).slice(0, 4_000) },
    attempts: Math.max(1, o.attempts),
    deadLetteredAt: o.at.toISOString(),
  });
  return {
    topic: deadLetterTopic(message.topic),
    key: message.key ?? `${message.topic}:${message.partition}`,
    value: Buffer.from(JSON.stringify(record)),
    headers: { 'klaxon-dead-letter-code': record.error.code, 'klaxon-consumer-group': o.groupId },
  };
}

/**
 * The one failure policy of both buses. A failure `classify` calls transient (the database or the
 * broker away, a deadlock, a lost connection) says nothing about the messages: the same batch is
 * tried again with capped, jittered backoff for as long as it takes, never split, never dead-lettered,
 * and the stall is reported (health not-ready, a metric, a log line). Any other failure follows the
 * messages: the batch is retried with backoff; if it keeps failing (or fails with
 * `PermanentMessageError`) it is split in halves, each tried once, down to single messages, which get
 * the full retry policy (none for a permanent error) and are then dead-lettered. So only the messages
 * that fail on their own go to the dead-letter topic, and every other message, before or behind them,
 * is processed in order. A handler may also reject single messages (`{ rejected }`): permanent ones
 * are dead-lettered at once, transient ones wait like a transient batch, others are retried on their own.
 */
export async function runBatch(o: RunBatchOptions): Promise<RunBatchResult> {
  const { messages, handler, retry, logger } = o;
  const now = o.now ?? (() => new Date());
  const settled = new Array<boolean>(messages.length).fill(false);
  const deadLetters: Array<{ index: number; record: OutgoingMessage }> = [];
  let processed = 0;

  const sleep = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (o.signal?.aborted) return reject(new Aborted());
      const onAbort = () => {
        clearTimeout(timer);
        reject(new Aborted());
      };
      const timer = setTimeout(() => {
        o.signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      o.signal?.addEventListener('abort', onAbort, { once: true });
    });

  const deadLetter = (index: number, error: unknown, attempts: number) => {
    const message = messages[index];
    logger.warn(
      {
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        groupId: o.groupId,
        code: errorCode(error),
        attempts,
        err: error,
      },
      'message dead-lettered',
    );
    deadLetters.push({
      index,
      record: deadLetterMessage(message, { groupId: o.groupId, error, attempts, at: now() }),
    });
    settled[index] = true;
  };

  const indexOf = (segment: number[], message: IncomingMessage): number | undefined => {
    for (const i of segment) if (messages[i] === message) return i;
    for (const i of segment) {
      const m = messages[i];
      if (m.topic === message.topic && m.partition === message.partition && m.offset === message.offset)
        return i;
    }
    return undefined;
  };

  // Consecutive transient failures of this run: the backoff's attempt number and the stall's.
  let stalledFor = 0;
  const transientWait = async (c: Classification, error: unknown, size: number): Promise<void> => {
    stalledFor++;
    const delayMs = backoffDelay(stalledFor, {
      base: retry.initialBackoffMs,
      cap: retry.transientMaxBackoffMs ?? TRANSIENT_MAX_BACKOFF_MS,
    });
    o.stall?.stalled({ reason: c.reason, attempt: stalledFor, delayMs, error });
    if (stalledFor === 1 || stalledFor % STALL_LOG_EVERY === 0)
      logger.warn(
        { groupId: o.groupId, reason: c.reason, size, attempt: stalledFor, retryInMs: delayMs, err: error },
        'consumer stalled: a dependency is unavailable; the same batch is retried (nothing dead-lettered)',
      );
    await sleep(delayMs);
  };
  const wentThrough = () => {
    if (stalledFor === 0) return;
    logger.info({ groupId: o.groupId, attempts: stalledFor }, 'consumer recovered: the batch went through');
    stalledFor = 0;
    o.stall?.recovered();
  };

  /**
   * Tries `segment` up to `budget` times; `prior` attempts on it already failed (they count and back off).
   * Transient failures do not count: they wait and try the same messages again.
   */
  const attempt = async (initial: number[], budget: number, prior: number): Promise<void> => {
    let segment = initial;
    let lastError: unknown;
    let made = prior;
    let k = 0;
    let waited = false;
    while (k < budget) {
      k++;
      if (!waited && made > 0 && (k > 1 || prior > 0)) await sleep(backoffMs(retry, made));
      waited = false;
      made++;
      let outcome: void | BatchOutcome;
      try {
        outcome = await handler(segment.map((i) => messages[i]));
      } catch (error) {
        if (error instanceof Aborted) throw error;
        const c = classify(error);
        if (c.kind === 'transient') {
          await transientWait(c, error, segment.length);
          [k, made, waited] = [k - 1, made - 1, true];
          continue;
        }
        lastError = error;
        if (c.kind === 'permanent') break;
        logger.debug({ groupId: o.groupId, size: segment.length, attempt: made, err: error }, 'batch failed');
        continue;
      }
      const rejected = new Map<number, unknown>();
      for (const r of outcome?.rejected ?? []) {
        const i = indexOf(segment, r.message);
        if (i === undefined)
          logger.warn({ offset: r.message.offset }, 'handler rejected a message that is not in its batch');
        else rejected.set(i, r.error);
      }
      const transient = [...rejected].filter(([, e]) => classify(e).kind === 'transient');
      if (transient.length < segment.length) wentThrough();
      for (const i of segment) {
        if (rejected.has(i)) continue;
        settled[i] = true;
        processed++;
      }
      for (const i of segment) {
        if (!rejected.has(i) || transient.some(([t]) => t === i)) continue;
        const error = rejected.get(i);
        if (isPermanent(error) || made >= retry.attempts) deadLetter(i, error, made);
        else await retryAlone(i, made);
      }
      if (transient.length === 0) return;
      // Rejected because something they need is away: the same wait as a transient batch, then those again.
      await transientWait(classify(transient[0][1]), transient[0][1], transient.length);
      segment = transient.map(([i]) => i);
      [k, made, waited] = [k - 1, made - 1, true];
    }
    if (segment.length === 1) {
      deadLetter(segment[0], lastError, made);
      return;
    }
    const mid = Math.ceil(segment.length / 2);
    const [left, right] = [segment.slice(0, mid), segment.slice(mid)];
    await attempt(left, left.length === 1 ? retry.attempts : 1, 0);
    await attempt(right, right.length === 1 ? retry.attempts : 1, 0);
  };

  const retryAlone = (index: number, made: number) => attempt([index], retry.attempts - made, made);

  try {
    if (messages.length > 0)
      await attempt(
        messages.map((_, i) => i),
        Math.max(1, retry.attempts),
        0,
      );
  } catch (error) {
    if (!(error instanceof Aborted)) throw error;
    logger.info({ groupId: o.groupId }, 'stopping: retry cut short, the rest of the batch stays uncommitted');
  } finally {
    if (stalledFor > 0) o.stall?.recovered();
  }

  let error: unknown;
  let published = true;
  if (deadLetters.length > 0) {
    try {
      await o.publish(deadLetters.map((d) => d.record));
    } catch (err) {
      error = err;
      published = false;
      logger.error({ err, groupId: o.groupId }, 'dead-letter publish failed');
    }
  }
  const firstUnpublished = published ? Infinity : Math.min(...deadLetters.map((d) => d.index));
  let done = 0;
  while (done < messages.length && settled[done] && done < firstUnpublished) done++;
  return {
    done,
    processed,
    deadLettered: published ? deadLetters.length : 0,
    ...(error === undefined ? {} : { error }),
  };
}
