/**
 * The one contract both buses pass (run from kafka-message-bus.int.spec.ts and
 * in-process-message-bus.spec.ts). Every test uses topics and groups of its own.
 */
import { randomUUID } from 'node:crypto';
import { deadLetterRecordSchema, deadLetterTopic, type DeadLetterRecord } from '@klaxon/contracts';
import {
  PermanentMessageError,
  type BatchHandler,
  type IncomingMessage,
  type MessageBus,
  type OutgoingMessage,
  type Subscription,
} from './bus.port';

export interface BusContractOptions {
  /** Called once per suite. */
  createBus(): Promise<MessageBus>;
  /** Longest wait for something to arrive. */
  waitMs: number;
}

const fastRetry = { attempts: 3, initialBackoffMs: 10, maxBackoffMs: 40 };

export function message(topic: string, key: string, value: string): OutgoingMessage {
  return { topic, key, value: Buffer.from(value), headers: { 'x-test': value } };
}

export async function eventually(check: () => boolean, waitMs: number, what: string): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Reads the dead-letter topic of `topic` through the bus itself, as an operator's consumer would. */
export async function readDeadLetters(
  bus: MessageBus,
  topic: string,
): Promise<{ records: DeadLetterRecord[]; subscription: Subscription }> {
  const records: DeadLetterRecord[] = [];
  const subscription = await bus.subscribe({
    groupId: `dlq-reader-${randomUUID()}`,
    topics: [deadLetterTopic(topic)],
    handler: async (batch) => {
      for (const m of batch) records.push(deadLetterRecordSchema.parse(JSON.parse(m.value!.toString())));
    },
  });
  return { records, subscription };
}

export function describeMessageBusContract(name: string, options: BusContractOptions): void {
  describe(`MessageBus contract: ${name}`, () => {
    let bus: MessageBus;
    const subscriptions: Subscription[] = [];
    const topicName = (label: string) => `contract.${label}.${randomUUID().slice(0, 8)}`;
    const subscribe = async (
      groupId: string,
      topic: string,
      handler: BatchHandler,
      extra: { maxBatchSize?: number; retry?: typeof fastRetry; fromLatest?: boolean } = {},
    ) => {
      const s = await bus.subscribe({ groupId, topics: [topic], handler, ...extra });
      subscriptions.push(s);
      return s;
    };
    const text = (m: IncomingMessage) => m.value!.toString();

    beforeAll(async () => {
      bus = await options.createBus();
    });
    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((s) => s.stop()));
    });
    afterAll(async () => {
      await bus?.close();
    });

    it('delivers every message once, in order per key, in batches no larger than asked', async () => {
      const topic = topicName('order');
      const keys = ['a', 'b', 'c'];
      const sent = keys.flatMap((k) => Array.from({ length: 20 }, (_, i) => message(topic, k, `${k}-${i}`)));
      const got = new Map<string, string[]>(keys.map((k) => [k, []]));
      let largest = 0;
      await subscribe(
        `order-${randomUUID()}`,
        topic,
        async (batch) => {
          largest = Math.max(largest, batch.length);
          for (const m of batch) got.get(m.key!)!.push(text(m));
        },
        { maxBatchSize: 7 },
      );
      await bus.publish(sent.slice(0, 30));
      await bus.publish(sent.slice(30));
      await eventually(
        () => [...got.values()].reduce((n, l) => n + l.length, 0) >= sent.length,
        options.waitMs,
        'all messages',
      );
      for (const k of keys) expect(got.get(k)).toEqual(Array.from({ length: 20 }, (_, i) => `${k}-${i}`));
      expect(largest).toBeLessThanOrEqual(7);
      expect(bus.isHealthy()).toBe(true);
    });

    it('gives every consumer group every message', async () => {
      const topic = topicName('groups');
      const sent = Array.from({ length: 30 }, (_, i) => message(topic, `k${i % 5}`, `m${i}`));
      const a: string[] = [];
      const b: string[] = [];
      await Promise.all([
        subscribe(`group-a-${randomUUID()}`, topic, async (batch) => void a.push(...batch.map(text))),
        subscribe(`group-b-${randomUUID()}`, topic, async (batch) => void b.push(...batch.map(text))),
      ]);
      await bus.publish(sent);
      await eventually(() => a.length >= 30 && b.length >= 30, options.waitMs, 'both groups');
      const all = sent.map((m) => m.value.toString()).sort();
      expect([...a].sort()).toEqual(all);
      expect([...b].sort()).toEqual(all);
    });

    it('retries a failing message, dead-letters it with its reason, and processes the messages behind it', async () => {
      const topic = topicName('retry');
      const groupId = `retry-${randomUUID()}`;
      const processed: string[] = [];
      let aloneCalls = 0;
      const [dlq] = await Promise.all([
        readDeadLetters(bus, topic),
        subscribe(
          groupId,
          topic,
          async (batch) => {
            if (batch.some((m) => text(m) === 'poison')) {
              if (batch.length === 1) aloneCalls++;
              throw Object.assign(new Error('cannot digest poison'), { code: 'poison-pill' });
            }
            processed.push(...batch.map(text));
          },
          { retry: fastRetry },
        ),
      ]);
      subscriptions.push(dlq.subscription);
      await bus.publish(['m0', 'm1', 'poison', 'm3', 'm4', 'm5'].map((v) => message(topic, 'same-key', v)));
      await eventually(
        () => processed.length >= 5 && dlq.records.length >= 1,
        options.waitMs,
        'processing and the dead letter',
      );
      expect(processed).toEqual(['m0', 'm1', 'm3', 'm4', 'm5']);
      expect(aloneCalls).toBe(3);
      const [record] = dlq.records;
      expect(record).toMatchObject({
        originalTopic: topic,
        consumerGroup: groupId,
        key: 'same-key',
        headers: { 'x-test': 'poison' },
        error: { code: 'poison-pill', message: 'cannot digest poison' },
        attempts: 3,
      });
      expect(Buffer.from(record.valueBase64!, 'base64').toString()).toBe('poison');
      expect(record.offset).toMatch(/^\d+$/);
      expect(dlq.records).toHaveLength(1);
    });

    it('dead-letters a permanent error without retrying it', async () => {
      const topic = topicName('permanent');
      const processed: string[] = [];
      let aloneCalls = 0;
      const [dlq] = await Promise.all([
        readDeadLetters(bus, topic),
        subscribe(
          `permanent-${randomUUID()}`,
          topic,
          async (batch) => {
            if (batch.some((m) => text(m) === 'bad')) {
              if (batch.length === 1) aloneCalls++;
              throw new PermanentMessageError('unusable-input', 'this will never work');
            }
            processed.push(...batch.map(text));
          },
          { retry: { attempts: 5, initialBackoffMs: 2_000, maxBackoffMs: 2_000 } },
        ),
      ]);
      subscriptions.push(dlq.subscription);
      await bus.publish(['ok1', 'bad', 'ok2'].map((v) => message(topic, 'k', v)));
      await eventually(
        () => processed.length >= 2 && dlq.records.length >= 1,
        options.waitMs,
        'processing and the dead letter',
      );
      expect(processed).toEqual(['ok1', 'ok2']);
      expect(aloneCalls).toBe(1);
      expect(dlq.records[0]).toMatchObject({
        error: { code: 'unusable-input', message: 'this will never work' },
        attempts: 1,
      });
    });

    it('lets a handler reject single messages and keeps its work on the others', async () => {
      const topic = topicName('reject');
      const processed: string[] = [];
      const [dlq] = await Promise.all([
        readDeadLetters(bus, topic),
        subscribe(`reject-${randomUUID()}`, topic, async (batch) => {
          const bad = batch.filter((m) => text(m).startsWith('bad'));
          processed.push(...batch.filter((m) => !bad.includes(m)).map(text));
          return {
            rejected: bad.map((m) => ({
              message: m,
              error: new PermanentMessageError('rejected-by-handler', `no: ${text(m)}`),
            })),
          };
        }),
      ]);
      subscriptions.push(dlq.subscription);
      await bus.publish(['a', 'bad-1', 'b', 'c', 'bad-2'].map((v) => message(topic, 'k', v)));
      await eventually(
        () => processed.length >= 3 && dlq.records.length >= 2,
        options.waitMs,
        'processing and the dead letters',
      );
      expect(processed).toEqual(['a', 'b', 'c']);
      expect(dlq.records.map((r) => r.error.message).sort()).toEqual(['no: bad-1', 'no: bad-2']);
      expect(dlq.records.every((r) => r.error.code === 'rejected-by-handler' && r.attempts === 1)).toBe(true);
    });

    it('starts a new fromLatest group at the end of the topic', async () => {
      const topic = topicName('latest');
      await bus.publish([message(topic, 'k', 'before')]);
      const got: string[] = [];
      await subscribe(`latest-${randomUUID()}`, topic, async (batch) => void got.push(...batch.map(text)), {
        fromLatest: true,
      });
      // Kafka resolves "latest" at the group's first fetch, a moment after joining: publish until one arrives.
      for (let i = 0; got.length === 0; i++) {
        if (i * 250 > options.waitMs)
          throw new Error('timed out waiting for a message published after joining');
        await bus.publish([message(topic, 'k', `after-${i}`)]);
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(got).not.toContain('before');
      expect(got[0]).toMatch(/^after-\d+$/);
    });

    it('stops gracefully: the in-flight batch completes and is committed, the next member resumes after it', async () => {
      const topic = topicName('stop');
      const groupId = `stop-${randomUUID()}`;
      const sent = Array.from({ length: 10 }, (_, i) => `s${i}`);
      const first: string[] = [];
      let signalEntered!: () => void;
      const entered = new Promise<void>((resolve) => (signalEntered = resolve));
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let batchesSeenByFirst = 0;
      const firstSubscription = await bus.subscribe({
        groupId,
        topics: [topic],
        maxBatchSize: 4,
        handler: async (batch) => {
          batchesSeenByFirst++;
          signalEntered();
          await released;
          first.push(...batch.map(text));
        },
      });
      await bus.publish(sent.map((v) => message(topic, 'one-key', v)));
      await entered;
      let stopped = false;
      const stopping = firstSubscription.stop().then(() => (stopped = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(stopped).toBe(false); // waits for the batch in flight
      release();
      await stopping;
      expect(batchesSeenByFirst).toBe(1);
      expect(first.length).toBeGreaterThan(0);
      expect(first).toEqual(sent.slice(0, first.length));

      const second: string[] = [];
      await subscribe(groupId, topic, async (batch) => void second.push(...batch.map(text)));
      await eventually(() => first.length + second.length >= sent.length, options.waitMs, 'the rest');
      await new Promise((r) => setTimeout(r, 300));
      expect([...first, ...second]).toEqual(sent);
    });
  });
}
