import {
  Kafka,
  Partitioners,
  logLevel,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type KafkaMessage,
  type LogEntry,
  type Producer,
} from 'kafkajs';
import type { TopicSpec } from '@klaxon/contracts';
import type { Logger, Registry } from '@klaxon/platform/observability';
import {
  DEFAULT_RETRY_POLICY,
  type IncomingMessage,
  type MessageBus,
  type OutgoingMessage,
  type SubscribeOptions,
  type Subscription,
} from './bus.port';
import { BusMetrics } from './bus-metrics';
import { ConsumerStalls, type ConsumerStall } from './consumer-stalls';
import { BatchCoalescer } from './batch-coalescer';
import { runBatch } from './failure-policy';

export interface KafkaConsumerTuning {
  sessionTimeout: number;
  heartbeatInterval: number;
  rebalanceTimeout: number;
  maxWaitTimeInMs: number;
  partitionsConsumedConcurrently: number;
  /** How long a consumer waits for more when it has fewer than a fifth of `maxBatchSize` messages (0: never). */
  lingerMs?: number;
  /** Handler calls a consumer runs at once, each with other partitions (default 1). */
  concurrency?: number;
}

export interface KafkaMessageBusOptions {
  /** Where the consumed / dead-lettered counters go (optional). */
  metrics?: Registry;
  clientId: string;
  brokers: string[];
  logger: Logger;
  consumer: KafkaConsumerTuning;
  /** Upper bound of one produce request (messages), to stay under the broker's request size. */
  maxMessagesPerSend?: number;
  /**
   * Idempotent producer: the broker writes a retried send once, in order (kafkajs then retries a send
   * until the broker takes it, one request in flight per broker). The apps turn it on
   * (`KAFKA_IDEMPOTENT_PRODUCER`, default true); librdkafka's mock cluster cannot grant a producer id.
   */
  idempotentProducer?: boolean;
}

interface PendingSend {
  messages: OutgoingMessage[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

const MAX_BYTES_PER_SEND = 900 * 1024;
const COMMIT_INTERVAL_MS = 1_000;
const READ_AGAIN_DELAY_MS = 1_000;

export function toIncoming(topic: string, partition: number, m: KafkaMessage): IncomingMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key ? m.key.toString() : null,
    value: m.value,
    headers,
  };
}

/** kafkajs logs through our pino logger; its chatty rebalance errors are warnings here. */
function logCreatorFor(logger: Logger) {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, ...extra } = log;
      const fields = { kafkajs: namespace, ...extra };
      if (level === logLevel.ERROR || level === logLevel.WARN) logger.warn(fields, message);
      else if (level === logLevel.INFO) logger.debug(fields, message);
      else logger.trace(fields, message);
    };
}

function isUnsupportedAdminError(error: unknown): boolean {
  const e = error as { name?: string; type?: string; message?: string };
  return (
    e?.name === 'KafkaJSBrokerNotFound' ||
    e?.name === 'KafkaJSServerDoesNotSupportApiKey' ||
    e?.type === 'UNSUPPORTED_VERSION' ||
    /does not support|not support/i.test(e?.message ?? '')
  );
}

/**
 * The bus on Kafka (kafkajs). Publishing: concurrent `publish` calls are coalesced into one
 * `sendBatch` per round (acks from all in-sync replicas), in call order. Consuming: one kafkajs
 * consumer per subscription, `eachBatch` with auto-commit off, partitions fetched concurrently; the
 * batches handed over meanwhile are joined (`BatchCoalescer`, up to `maxBatchSize` messages) into one run
 * of the shared failure policy, and only then their offsets are resolved; settled offsets are committed
 * together every second and when stopping. Heartbeats keep flowing while a batch is processed.
 */
export class KafkaMessageBus implements MessageBus {
  private readonly kafka: Kafka;
  private readonly logger: Logger;
  private readonly producer: Producer;
  private producerConnected = false;
  private connecting: Promise<void> | null = null;
  private readonly queue: PendingSend[] = [];
  private flushing: Promise<void> | null = null;
  private readonly consumers = new Set<{
    consumer: Consumer;
    subscription: Subscription;
    healthy: () => boolean;
  }>();
  private closed = false;
  private readonly maxMessagesPerSend: number;
  private readonly metrics: BusMetrics;
  private readonly stalled: ConsumerStalls;

  constructor(private readonly options: KafkaMessageBusOptions) {
    this.logger = options.logger.child({ component: 'kafka-bus' });
    this.metrics = new BusMetrics(options.metrics);
    this.stalled = new ConsumerStalls(options.metrics);
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.INFO,
      logCreator: logCreatorFor(this.logger),
      retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 5_000 },
    });
    const idempotent = options.idempotentProducer ?? false;
    this.producer = this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: true,
      idempotent,
      ...(idempotent ? { maxInFlightRequests: 1 } : {}),
    });
    this.producer.on(this.producer.events.CONNECT, () => (this.producerConnected = true));
    this.producer.on(this.producer.events.DISCONNECT, () => (this.producerConnected = false));
    this.maxMessagesPerSend = options.maxMessagesPerSend ?? 1_000;
  }

  private connect(): Promise<void> {
    this.connecting ??= this.producer.connect().catch((error: unknown) => {
      this.connecting = null;
      if (this.options.idempotentProducer && (error as Error)?.name === 'KafkaJSBrokerNotFound')
        throw new Error(
          `the brokers did not grant an idempotent producer id (${(error as Error).message}); ` +
            'a broker without InitProducerId (e.g. the librdkafka mock cluster) needs KAFKA_IDEMPOTENT_PRODUCER=false',
          { cause: error },
        );
      throw error;
    });
    return this.connecting;
  }

  publish(messages: OutgoingMessage[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('message bus is closed'));
    if (messages.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ messages, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Sends whatever is queued, round after round: calls arriving during a send go out together in the next one. */
  private async flush(): Promise<void> {
    for (;;) {
      if (this.queue.length === 0) {
        // In the same synchronous step as the last check: a publish arriving from now on starts a new flush.
        this.flushing = null;
        return;
      }
      const round: PendingSend[] = [];
      let count = 0;
      let bytes = 0;
      while (this.queue.length > 0) {
        const next = this.queue[0];
        const size = next.messages.reduce(
          (n, m) => n + (m.value?.length ?? 0) + (m.key?.length ?? 0) + 64,
          0,
        );
        if (
          round.length > 0 &&
          (count + next.messages.length > this.maxMessagesPerSend || bytes + size > MAX_BYTES_PER_SEND)
        )
          break;
        round.push(this.queue.shift()!);
        count += next.messages.length;
        bytes += size;
      }
      try {
        await this.connect();
        await this.sendAll(round.flatMap((p) => p.messages));
        for (const p of round) p.resolve();
      } catch (error) {
        for (const p of round) p.reject(error);
      }
    }
  }

  /** One `sendBatch` per chunk (a single huge publish is cut), topic by topic in one request. */
  private async sendAll(messages: OutgoingMessage[]): Promise<void> {
    for (let start = 0; start < messages.length; start += this.maxMessagesPerSend) {
      const byTopic = new Map<
        string,
        Array<{ key: string | null; value: Buffer | null; headers: Record<string, string> }>
      >();
      for (const m of messages.slice(start, start + this.maxMessagesPerSend)) {
        let list = byTopic.get(m.topic);
        if (!list) byTopic.set(m.topic, (list = []));
        list.push({ key: m.key ?? null, value: m.value ?? null, headers: m.headers ?? {} });
      }
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })),
      });
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (this.closed) throw new Error('message bus is closed');
    const tuning = this.options.consumer;
    const retry = options.retry ?? DEFAULT_RETRY_POLICY;
    const maxBatchSize = options.maxBatchSize ?? 500;
    const logger = this.logger.child({ groupId: options.groupId });
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: tuning.sessionTimeout,
      heartbeatInterval: tuning.heartbeatInterval,
      rebalanceTimeout: tuning.rebalanceTimeout,
      maxWaitTimeInMs: tuning.maxWaitTimeInMs,
      allowAutoTopicCreation: true,
    });
    let crashed = false;
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload as { error: Error; restart: boolean };
      logger.error({ err: error, restart }, 'consumer crashed');
      if (!restart) crashed = true;
    });
    const abort = new AbortController();
    let stopping = false;
    // The partitions this member owns since its last group join (null until the first).
    let assigned: Set<string> | null = null;
    const owned = (key: string) => assigned === null || assigned.has(key);

    // Offsets settled by the handler, committed together: on an interval, and when stopping (before
    // kafkajs leaves the group). A crash repeats at most an interval's messages, which
    // the idempotent consumers ignore; one commit request serves every partition.
    const settledOffsets = new Map<string, { topic: string; partition: number; offset: string }>();
    let lastCommitAt = Date.now();
    let committing: Promise<void> = Promise.resolve();
    const commitSettled = (): Promise<void> =>
      (committing = committing.then(async () => {
        if (settledOffsets.size === 0) return;
        const settled = [...settledOffsets.entries()];
        settledOffsets.clear();
        lastCommitAt = Date.now();
        // Only partitions this member still owns: an offset of a revoked one, committed under the new
        // generation, could move its new owner's position backwards.
        const mine = settled.filter(([key]) => owned(key));
        if (mine.length === 0) return;
        try {
          await consumer.commitOffsets(
            mine.map(([, o]) => ({ ...o, offset: (BigInt(o.offset) + 1n).toString() })),
          );
        } catch (err) {
          this.metrics.commitFailed(options.groupId);
          // Kept for the next commit where the partition is still ours and nothing newer was settled.
          for (const [key, o] of mine) if (owned(key) && !settledOffsets.has(key)) settledOffsets.set(key, o);
          logger.warn(
            { err, partitions: mine.length },
            'offset commit failed; it is tried again with the next commit (a partition lost meanwhile is read again by its new owner)',
          );
        }
      }));
    const commitTimer = setInterval(() => void commitSettled(), COMMIT_INTERVAL_MS);
    commitTimer.unref();

    const coalescer = new BatchCoalescer(
      async (messages) => {
        const result = await runBatch({
          messages,
          handler: options.handler,
          retry,
          groupId: options.groupId,
          publish: (m) => this.publish(m),
          logger,
          signal: abort.signal,
          stall: this.stalled.listener(options.groupId),
        });
        this.metrics.record([...new Set(messages.map((m) => m.topic))].join(','), options.groupId, result);
        return result;
      },
      maxBatchSize,
      { ms: tuning.lingerMs ?? 0, below: Math.ceil(maxBatchSize / 5) },
      Math.max(1, tuning.concurrency ?? 1),
      2 * maxBatchSize,
    );

    // Fetching runs ahead of handling: a batch is handed to the coalescer and kafkajs may fetch the
    // partition's next one at once (it fetches a partition again only when its eachBatch returned), up
    // to 2 × maxBatchSize messages waiting. Offsets are committed only as the handler settles them, in
    // order; when a contribution comes back not fully settled (a dead-letter publish failed, or a call
    // before it in the same batch), the partition is read again from its first unsettled message and
    // what waits of it is dropped, so nothing behind it is settled first.
    const epochs = new Map<string, number>();
    const readAgain = (topic: string, partition: number, offset: string) => {
      const key = `${topic}:${partition}`;
      epochs.set(key, (epochs.get(key) ?? 0) + 1);
      coalescer.discard(key);
      if (stopping) return;
      try {
        consumer.seek({ topic, partition, offset });
        // A second before the next try (what failed was publishing, e.g. the dead-letter topic).
        consumer.pause([{ topic, partitions: [partition] }]);
        setTimeout(() => {
          if (!stopping) consumer.resume([{ topic, partitions: [partition] }]);
        }, READ_AGAIN_DELAY_MS).unref();
      } catch (err) {
        logger.warn(
          { err, topic, partition },
          'could not rewind the partition; it is read again after a restart',
        );
      }
    };

    const eachBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
      const { topic, partition } = batch;
      const key = `${topic}:${partition}`;
      for (let start = 0; start < batch.messages.length; start += maxBatchSize) {
        if (!isRunning() || isStale() || stopping) return;
        const chunk = batch.messages
          .slice(start, start + maxBatchSize)
          .map((m) => toIncoming(topic, partition, m));
        const epoch = epochs.get(key) ?? 0;
        coalescer.submit(chunk).then(
          (result) => {
            // Dropped (stopping, or its partition is read again), or read again meanwhile: this no longer counts.
            if (result.dropped || (epochs.get(key) ?? 0) !== epoch) return;
            if (result.done > 0)
              settledOffsets.set(key, { topic, partition, offset: chunk[result.done - 1].offset });
            if (result.done < chunk.length && !stopping) {
              if (result.error !== undefined)
                logger.error(
                  { err: result.error, topic, partition },
                  'batch not settled; the partition is read again from the first unsettled message',
                );
              readAgain(topic, partition, chunk[result.done].offset);
            }
          },
          (error: unknown) => {
            if ((epochs.get(key) ?? 0) !== epoch) return;
            logger.error({ err: error, topic, partition }, 'batch failed; the partition is read again');
            readAgain(topic, partition, chunk[0].offset);
          },
        );
        // Handed over: kafkajs may fetch on from here. The handler's settling is what gets committed.
        resolveOffset(chunk[chunk.length - 1].offset);
        const beat = setInterval(
          () =>
            heartbeat().catch((err: unknown) =>
              logger.debug({ err }, 'heartbeat while waiting for room failed'),
            ),
          Math.max(100, tuning.heartbeatInterval),
        );
        try {
          await coalescer.room();
        } finally {
          clearInterval(beat);
        }
      }
      if (Date.now() - lastCommitAt >= COMMIT_INTERVAL_MS) void commitSettled();
    };

    // A rebalance: kafkajs starts every partition it assigns again from the committed offset, so what
    // waits in the coalescer is stale everywhere (dropped, epochs bumped: an in-flight call's result
    // no longer counts); settled offsets of revoked partitions are dropped, those still ours committed.
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const assignment =
        (event.payload as { memberAssignment?: Record<string, number[]> }).memberAssignment ?? {};
      const next = new Set(
        Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((p) => `${topic}:${p}`)),
      );
      const known = new Set([...epochs.keys(), ...settledOffsets.keys(), ...(assigned ?? [])]);
      const revoked = [...known].filter((key) => !next.has(key));
      for (const key of known) {
        epochs.set(key, (epochs.get(key) ?? 0) + 1);
        coalescer.discard(key);
      }
      for (const key of revoked) settledOffsets.delete(key);
      assigned = next;
      this.metrics.rebalanced(options.groupId);
      logger.info(
        {
          partitions: next.size,
          revoked: revoked.length,
          memberId: (event.payload as { memberId?: string }).memberId,
        },
        'joined the group: waiting work dropped, revoked partitions forgotten',
      );
      void commitSettled();
    });

    await consumer.connect();
    await consumer.subscribe({ topics: options.topics, fromBeginning: !options.fromLatest });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.max(1, tuning.partitionsConsumedConcurrently),
      eachBatch,
    });

    let stopped: Promise<void> | null = null;
    const entry = {
      consumer,
      healthy: () => !crashed,
      subscription: {
        stop: () =>
          (stopped ??= (async () => {
            stopping = true;
            abort.abort();
            // Nothing new starts; the call in flight finishes; what it settled is committed while still a member.
            coalescer.close();
            await coalescer.idle();
            await commitSettled();
            // kafkajs stops fetching, waits for a running eachBatch, then leaves the group.
            await consumer.stop();
            clearInterval(commitTimer);
            await consumer.disconnect();
            this.consumers.delete(entry);
          })()),
      },
    };
    this.consumers.add(entry);
    logger.info({ topics: options.topics }, 'subscribed');
    return entry.subscription;
  }

  async ensureTopics(topics: TopicSpec[]): Promise<void> {
    if (topics.length === 0) return;
    await this.connect();
    const admin: Admin = this.kafka.admin();
    await admin.connect();
    try {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: topics.map((t) => ({
            topic: t.name,
            numPartitions: t.partitions,
            configEntries: [{ name: 'retention.ms', value: String(t.retentionDays * 24 * 3_600_000) }],
          })),
        });
      } catch (error) {
        if (!isUnsupportedAdminError(error)) throw error;
        this.logger.info(
          { reason: (error as Error).name },
          'CreateTopics not available; relying on broker auto-creation',
        );
      }
      // On real Kafka this checks what createTopics made; on the mock cluster it auto-creates them.
      await admin.fetchTopicMetadata({ topics: topics.map((t) => t.name) });
    } finally {
      await admin.disconnect();
    }
  }

  isHealthy(): boolean {
    return (
      !this.closed &&
      this.producerConnected &&
      [...this.consumers].every((c) => c.healthy()) &&
      this.stalled.list().length === 0
    );
  }

  stalls(): ConsumerStall[] {
    return this.stalled.list();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.consumers].map((c) => c.subscription.stop()));
    this.closed = true;
    await this.flushing;
    await this.producer.disconnect();
  }
}
