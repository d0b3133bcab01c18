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
import { runBatch } from './failure-policy';

export interface InProcessMessageBusOptions {
  /** Where the consumed / dead-lettered counters go (optional). */
  metrics?: Registry;
  logger: Logger;
  /** Partitions of a topic `ensureTopics` did not declare. */
  defaultPartitions?: number;
  /**
   * Messages are dropped once every group reading the topic committed them. A partition holding this
   * many that are not yet committed refuses further publishes (`InProcessBusFullError`): the publisher
   * (the outbox relay) keeps them and tries again later — nothing is dropped silently.
   */
  maxPendingPerPartition?: number;
}

/**
 * Header a publisher sets to learn when its message is settled (every group reading the topic committed
 * it; see `onSettled`). The bus takes it off: consumers never see it.
 */
export const SETTLEMENT_ID_HEADER = 'klaxon-settlement-id';

/** A publish that would make a partition hold more than `maxPendingPerPartition` uncommitted messages. */
export class InProcessBusFullError extends Error {
  readonly code = 'bus-full';
  constructor(topic: string, partition: number, pending: number) {
    super(`in-process bus: ${topic}/${partition} already holds ${pending} uncommitted messages`);
  }
}

interface Partition {
  /** Offset of `log[0]`. */
  base: number;
  log: IncomingMessage[];
}

interface Topic {
  name: string;
  partitions: Partition[];
}

interface Group {
  id: string;
  /** `topic/partition` → next offset to consume. */
  committed: Map<string, number>;
  /** `topic/partition` being processed by a member right now. */
  busy: Set<string>;
  topics: Set<string>;
  members: number;
  /** A live view (`fromLatest`): forgotten when its last member leaves, so it holds no messages back. */
  ephemeral: boolean;
}

/** Kafka's murmur2 is not needed here: any stable hash keeps one key on one partition. */
function partitionFor(key: string | null, count: number, roundRobin: number): number {
  if (key === null) return roundRobin % count;
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return Math.abs(h) % count;
}

/**
 * The bus of the embedded one-process mode, with the semantics of the Kafka one: partitions by key
 * (order per key), consumer groups with committed offsets (each group gets each message once; a new
 * member of a group resumes after what the group committed), the same failure policy (retries, split,
 * dead-letter topic). `publish` only appends and returns: consumers run on their own loop, so a
 * publisher holding the single embedded database connection never waits for a consumer needing it.
 */
export class InProcessMessageBus implements MessageBus {
  private readonly logger: Logger;
  private readonly topics = new Map<string, Topic>();
  private readonly groups = new Map<string, Group>();
  private readonly declared = new Map<string, number>();
  private readonly waiters = new Set<() => void>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly defaultPartitions: number;
  private readonly maxPendingPerPartition: number;
  private readonly metrics: BusMetrics;
  private readonly stalled: ConsumerStalls;
  /** Settlement ids of held messages (taken off their headers at publish). */
  private readonly settlementIds = new WeakMap<IncomingMessage, string>();
  private readonly settledListeners = new Set<(ids: string[]) => void>();
  private roundRobin = 0;
  private wakeScheduled: NodeJS.Immediate | null = null;
  private closed = false;

  constructor(options: InProcessMessageBusOptions) {
    this.logger = options.logger.child({ component: 'in-process-bus' });
    this.defaultPartitions = options.defaultPartitions ?? 4;
    this.maxPendingPerPartition = options.maxPendingPerPartition ?? 100_000;
    this.metrics = new BusMetrics(options.metrics);
    this.stalled = new ConsumerStalls(options.metrics);
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    if (this.closed) throw new Error('message bus is closed');
    // All or nothing: check every target partition's room before appending anything.
    const targets = messages.map((m) => {
      const topic = this.topic(m.topic);
      return { m, topic, index: partitionFor(m.key ?? null, topic.partitions.length, this.roundRobin++) };
    });
    const adding = new Map<Partition, number>();
    for (const { topic, index } of targets) {
      const partition = topic.partitions[index];
      const pending = partition.log.length + (adding.get(partition) ?? 0);
      if (pending >= this.maxPendingPerPartition)
        throw new InProcessBusFullError(topic.name, index, partition.log.length);
      adding.set(partition, (adding.get(partition) ?? 0) + 1);
    }
    const settledNow: string[] = [];
    for (const { m, topic, index } of targets) {
      const partition = topic.partitions[index];
      const { [SETTLEMENT_ID_HEADER]: settlementId, ...headers } = m.headers ?? {};
      if (settlementId !== undefined) {
        // No group that keeps offsets reads this topic (only live views, or nobody): no one will ever
        // need the publisher's copy. With no reader at all the message is not even kept.
        const readers = this.readersOf(topic.name);
        if (readers.durable === 0) {
          settledNow.push(settlementId);
          if (readers.live === 0) continue;
        }
      }
      const message: IncomingMessage = {
        topic: m.topic,
        partition: index,
        offset: String(partition.base + partition.log.length),
        key: m.key ?? null,
        value: m.value === null || m.value === undefined ? null : Buffer.from(m.value),
        headers,
      };
      if (settlementId !== undefined && !settledNow.includes(settlementId))
        this.settlementIds.set(message, settlementId);
      partition.log.push(message);
      this.trim(topic, index);
    }
    if (settledNow.length) for (const listener of this.settledListeners) listener(settledNow);
    // Consumers run on a later turn of the event loop, never inside the publisher's await.
    this.wakeScheduled ??= setImmediate(() => {
      this.wakeScheduled = null;
      this.wake();
    });
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (this.closed) throw new Error('message bus is closed');
    const isNew = !this.groups.has(options.groupId);
    const group = this.group(options.groupId);
    if (isNew) group.ephemeral = options.fromLatest === true;
    group.members++;
    for (const t of options.topics) {
      const topic = this.topic(t);
      group.topics.add(t);
      if (isNew && options.fromLatest)
        topic.partitions.forEach((p, i) => group.committed.set(`${t}/${i}`, p.base + p.log.length));
    }
    const retry = options.retry ?? DEFAULT_RETRY_POLICY;
    const maxBatchSize = options.maxBatchSize ?? 500;
    const logger = this.logger.child({ groupId: options.groupId });
    const abort = new AbortController();
    const stall = this.stalled.listener(options.groupId);
    let stopped = false;

    const loop = (async () => {
      let cursor = 0;
      while (!stopped) {
        const claim = this.claim(group, options.topics, cursor++, maxBatchSize);
        if (!claim) {
          await this.nextSignal();
          continue;
        }
        const { key, messages } = claim;
        try {
          const result = await runBatch({
            messages,
            handler: options.handler,
            retry,
            groupId: options.groupId,
            publish: (m) => this.publish(m),
            logger,
            signal: abort.signal,
            stall,
          });
          this.metrics.record(messages[0].topic, options.groupId, result);
          if (result.done > 0) group.committed.set(key, Number(messages[result.done - 1].offset) + 1);
          if (result.error !== undefined) await this.pause(retry.initialBackoffMs, abort.signal);
        } catch (err) {
          logger.error({ err }, 'batch failed outside the failure policy; it will be read again');
          await this.pause(retry.initialBackoffMs, abort.signal);
        } finally {
          group.busy.delete(key);
          this.trimAll(options.topics);
          this.wake();
        }
      }
    })();

    const subscription: Subscription = {
      stop: async () => {
        if (!stopped) {
          stopped = true;
          abort.abort();
          this.wake();
        }
        await loop;
        if (this.subscriptions.delete(subscription) && --group.members === 0 && group.ephemeral) {
          this.groups.delete(group.id);
          this.trimAll(options.topics);
        }
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async ensureTopics(topics: TopicSpec[]): Promise<void> {
    for (const t of topics) {
      if (!this.topics.has(t.name)) this.declared.set(t.name, Math.max(1, t.partitions));
      this.topic(t.name);
    }
  }

  /**
   * Calls `listener` with the settlement ids (see `SETTLEMENT_ID_HEADER`) of messages every group reading
   * their topic has committed — from then on the bus no longer needs them. Returns the unsubscribe.
   */
  onSettled(listener: (ids: string[]) => void): () => void {
    this.settledListeners.add(listener);
    return () => this.settledListeners.delete(listener);
  }

  private readersOf(topic: string): { durable: number; live: number } {
    let durable = 0;
    let live = 0;
    for (const group of this.groups.values()) {
      if (!group.topics.has(topic)) continue;
      if (group.ephemeral) live++;
      else durable++;
    }
    return { durable, live };
  }

  /** Messages held that some group reading their topic has not committed yet. */
  pendingCount(): number {
    let n = 0;
    for (const topic of this.topics.values()) for (const p of topic.partitions) n += p.log.length;
    return n;
  }

  isHealthy(): boolean {
    return !this.closed && this.stalled.list().length === 0;
  }

  stalls(): ConsumerStall[] {
    return this.stalled.list();
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.closed = true;
  }

  private topic(name: string): Topic {
    let topic = this.topics.get(name);
    if (!topic) {
      const count = this.declared.get(name) ?? this.defaultPartitions;
      topic = { name, partitions: Array.from({ length: count }, () => ({ base: 0, log: [] })) };
      this.topics.set(name, topic);
    }
    return topic;
  }

  private group(id: string): Group {
    let group = this.groups.get(id);
    if (!group) {
      group = { id, committed: new Map(), busy: new Set(), topics: new Set(), members: 0, ephemeral: false };
      this.groups.set(id, group);
    }
    return group;
  }

  /** A partition with messages the group has not committed and no member is processing; marked busy. */
  private claim(
    group: Group,
    topics: string[],
    cursor: number,
    max: number,
  ): { key: string; messages: IncomingMessage[] } | null {
    const candidates: Array<{ key: string; topic: Topic; index: number }> = [];
    for (const name of topics) {
      const topic = this.topic(name);
      topic.partitions.forEach((_, index) => candidates.push({ key: `${name}/${index}`, topic, index }));
    }
    for (let n = 0; n < candidates.length; n++) {
      const { key, topic, index } = candidates[(cursor + n) % candidates.length];
      if (group.busy.has(key)) continue;
      const partition = topic.partitions[index];
      const next = Math.max(group.committed.get(key) ?? 0, partition.base);
      const from = next - partition.base;
      if (from >= partition.log.length) continue;
      group.busy.add(key);
      return { key, messages: partition.log.slice(from, from + max) };
    }
    return null;
  }

  private trimAll(topics: string[]): void {
    for (const name of topics) {
      const topic = this.topics.get(name);
      if (topic) topic.partitions.forEach((_, i) => this.trim(topic, i));
    }
  }

  /**
   * Drops what every group reading the topic has committed (nothing while no group reads it) and tells
   * the settlement listeners which of those messages they were waiting for.
   */
  private trim(topic: Topic, index: number): void {
    const partition = topic.partitions[index];
    let keepFrom = partition.base + partition.log.length;
    let readers = 0;
    for (const group of this.groups.values()) {
      if (!group.topics.has(topic.name)) continue;
      readers++;
      keepFrom = Math.min(keepFrom, group.committed.get(`${topic.name}/${index}`) ?? 0);
    }
    if (readers === 0) keepFrom = partition.base;
    const drop = keepFrom - partition.base;
    if (drop > 0) {
      const dropped = partition.log.splice(0, drop);
      partition.base = keepFrom;
      if (this.settledListeners.size === 0) return;
      const ids: string[] = [];
      for (const m of dropped) {
        const id = this.settlementIds.get(m);
        if (id !== undefined) ids.push(id);
      }
      if (ids.length) for (const listener of this.settledListeners) listener(ids);
    }
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }

  private nextSignal(): Promise<void> {
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  private pause(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(resolve, ms);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}
