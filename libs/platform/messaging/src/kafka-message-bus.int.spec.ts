import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { silentLogger } from '@klaxon/platform/observability';
import { MOCK_CLUSTER_CONSUMER_TUNING, startKafkaMockCluster, type KafkaMockCluster } from '@klaxon/testing';
import { PermanentMessageError } from './bus.port';
import { describeMessageBusContract, eventually, message } from './bus.contract-suite';
import { KafkaMessageBus } from './kafka-message-bus';

jest.setTimeout(60_000);

let cluster: KafkaMockCluster;
beforeAll(async () => {
  cluster = await startKafkaMockCluster({ brokers: 3 });
});
afterAll(async () => {
  await cluster?.stop();
});

describeMessageBusContract('kafka (mock cluster, 3 brokers)', {
  createBus: async () => {
    const bus = new KafkaMessageBus({
      clientId: 'contract-test',
      brokers: cluster.brokers,
      logger: silentLogger,
      consumer: {
        sessionTimeout: 6_000,
        heartbeatInterval: 500,
        rebalanceTimeout: 6_000,
        maxWaitTimeInMs: 100,
        partitionsConsumedConcurrently: 2,
      },
    });
    await bus.ensureTopics([{ name: 'contract.bootstrap', partitions: 4, retentionDays: 1 }]);
    return bus;
  },
  waitMs: 30_000,
});

describe('KafkaMessageBus consumer killed mid-stream', () => {
  it('loses nothing: a new member of the group gets everything the killed one had not committed', async () => {
    const topic = `crash.${randomUUID().slice(0, 8)}`;
    const groupId = `crash-${randomUUID().slice(0, 8)}`;
    const tuning = {
      sessionTimeout: 6_000,
      heartbeatInterval: 500,
      rebalanceTimeout: 6_000,
      maxWaitTimeInMs: 100,
      partitionsConsumedConcurrently: 2,
    };
    // The first member runs in a process of its own, printing each message once its "effects" are done.
    const script = `
      const { KafkaMessageBus } = require(${JSON.stringify(path.join(__dirname, 'kafka-message-bus.ts'))});
      const silentLogger = require('pino')({ level: 'silent' });
      const bus = new KafkaMessageBus({ clientId: 'crash-child', brokers: ${JSON.stringify(cluster.brokers)}, logger: silentLogger, consumer: ${JSON.stringify(tuning)} });
      bus.subscribe({ groupId: ${JSON.stringify(groupId)}, topics: [${JSON.stringify(topic)}], maxBatchSize: 10, handler: async (batch) => {
        await new Promise((r) => setTimeout(r, 20));
        process.stdout.write(batch.map((m) => m.value.toString() + '\\n').join(''));
      } });`;
    const child = spawn(process.execPath, ['-r', '@swc-node/register', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const first = new Set<string>();
    let buffered = '';
    child.stdout!.on('data', (d: Buffer) => {
      const lines = (buffered + d.toString()).split('\n');
      buffered = lines.pop()!;
      for (const l of lines) first.add(l);
    });
    const bus = new KafkaMessageBus({
      clientId: 'crash-parent',
      brokers: cluster.brokers,
      logger: silentLogger,
      consumer: tuning,
    });
    try {
      const sent = Array.from({ length: 600 }, (_, i) => `c${i}`);
      await bus.publish(sent.map((v, i) => message(topic, `key-${i % 8}`, v)));
      await eventually(() => first.size >= 50, 30_000, 'the first member to be under way');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      expect(first.size).toBeLessThan(sent.length); // killed mid-stream, not after

      const second = new Map<string, number>();
      await bus.subscribe({
        groupId,
        topics: [topic],
        handler: async (batch) =>
          void batch.forEach((m) =>
            second.set(m.value!.toString(), (second.get(m.value!.toString()) ?? 0) + 1),
          ),
      });
      await eventually(
        () => sent.every((v) => first.has(v) || second.has(v)),
        40_000,
        'every message processed by one member or the other',
      );
      expect([...second.values()].every((n) => n === 1)).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await bus.close();
    }
  });
});

describe('KafkaMessageBus joins partitions', () => {
  it("hands the batches of several partitions fetched meanwhile to one handler call, each partition's in order", async () => {
    const topic = `join.${randomUUID().slice(0, 8)}`;
    const bus = new KafkaMessageBus({
      clientId: 'join-test',
      brokers: cluster.brokers,
      logger: silentLogger,
      consumer: {
        sessionTimeout: 6_000,
        heartbeatInterval: 500,
        rebalanceTimeout: 6_000,
        maxWaitTimeInMs: 100,
        partitionsConsumedConcurrently: 12,
      },
    });
    try {
      await bus.ensureTopics([{ name: topic, partitions: 12, retentionDays: 1 }]);
      const calls: Array<Array<{ key: string; n: number; partition: number }>> = [];
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      await bus.subscribe({
        groupId: `join-${randomUUID().slice(0, 8)}`,
        topics: [topic],
        handler: async (batch) => {
          calls.push(
            batch.map((m) => ({ key: m.key!, n: Number(m.value!.toString()), partition: m.partition })),
          );
          if (calls.length === 1) await held; // the first call holds the consumer while the rest arrives
        },
      });
      await bus.publish([message(topic, 'warm', '0')]);
      await eventually(() => calls.length === 1, 30_000, 'the first call');
      const keys = Array.from({ length: 24 }, (_, i) => `key-${i}`);
      await bus.publish(keys.flatMap((k) => [1, 2, 3].map((n) => message(topic, k, String(n)))));
      await new Promise((r) => setTimeout(r, 1_000));
      release();
      await eventually(() => calls.slice(1).flat().length >= keys.length * 3, 30_000, 'every message');
      const joined = calls.slice(1);
      // Several partitions' batches went together into one call…
      expect(Math.max(...joined.map((c) => new Set(c.map((m) => m.partition)).size))).toBeGreaterThan(1);
      expect(joined.length).toBeLessThan(12);
      // …and every key's messages still arrive in order.
      for (const k of keys)
        expect(
          joined
            .flat()
            .filter((m) => m.key === k)
            .map((m) => m.n),
        ).toEqual([1, 2, 3]);
    } finally {
      await bus.close();
    }
  });
});

describe('KafkaMessageBus when a dead letter cannot be published', () => {
  /** The real bus, with the dead-letter topic "down" while `deadLettersDown` is set (fault injection at the producer). */
  class DeadLettersDown extends KafkaMessageBus {
    deadLettersDown = true;
    override publish(messages: Parameters<KafkaMessageBus['publish']>[0]): Promise<void> {
      if (this.deadLettersDown && messages.some((m) => m.topic.endsWith('.dlq')))
        return Promise.reject(new Error('dead-letter topic unavailable'));
      return super.publish(messages);
    }
  }

  it('reads the partition again from the message it could not settle, commits nothing past it, and goes on once the dead letter is out', async () => {
    const topic = `dlqdown.${randomUUID().slice(0, 8)}`;
    const groupId = `dlqdown-${randomUUID().slice(0, 8)}`;
    const bus = new DeadLettersDown({
      clientId: 'dlq-down-test',
      brokers: cluster.brokers,
      logger: silentLogger,
      consumer: {
        sessionTimeout: 6_000,
        heartbeatInterval: 500,
        rebalanceTimeout: 6_000,
        maxWaitTimeInMs: 100,
        partitionsConsumedConcurrently: 12,
      },
    });
    const handlerFor = (seen: string[]) => async (batch: Array<{ value: Buffer | null }>) => {
      for (const m of batch) {
        seen.push(m.value!.toString());
        if (m.value!.toString() === 'poison')
          throw new PermanentMessageError('unusable-input', 'never works');
      }
    };
    try {
      await bus.ensureTopics([{ name: topic, partitions: 1, retentionDays: 1 }]);
      await bus.publish(['a', 'poison', 'b'].map((v) => message(topic, 'one-key', v)));
      const first: string[] = [];
      const subscription = await bus.subscribe({
        groupId,
        topics: [topic],
        retry: { attempts: 1, initialBackoffMs: 10, maxBackoffMs: 10 },
        handler: handlerFor(first),
      });
      // Each try dead-letters the poison and fails to publish the record: the partition is read again.
      await eventually(
        () => first.filter((v) => v === 'poison').length >= 3,
        30_000,
        'the poison read again',
      );
      await subscription.stop();

      bus.deadLettersDown = false;
      const second: string[] = [];
      const deadLetters: string[] = [];
      await bus.subscribe({
        groupId: `${groupId}-dlq`,
        topics: [`${topic}.dlq`],
        handler: async (batch) => void deadLetters.push(...batch.map((m) => m.value!.toString())),
      });
      await bus.subscribe({
        groupId,
        topics: [topic],
        retry: { attempts: 1, initialBackoffMs: 10, maxBackoffMs: 10 },
        handler: handlerFor(second),
      });
      await eventually(
        () => second.includes('b') && deadLetters.length > 0,
        30_000,
        'the rest, once the dead letter is out',
      );
      // Committed up to 'a' only: the next member starts at the poison, in order.
      expect(second[0]).toBe('poison');
      expect(second).not.toContain('a');
      expect(second.indexOf('b')).toBeGreaterThan(second.lastIndexOf('poison'));
      expect(JSON.parse(deadLetters[0]).error.code).toBe('unusable-input');
    } finally {
      await bus.close();
    }
  });
});

describe('KafkaMessageBus idempotent producer', () => {
  it('says what to set when the brokers grant no producer id (the mock cluster), and works with it off', async () => {
    const strict = new KafkaMessageBus({
      clientId: 'idempotent-test',
      brokers: cluster.brokers,
      logger: silentLogger,
      idempotentProducer: true,
      consumer: { ...MOCK_CLUSTER_CONSUMER_TUNING, partitionsConsumedConcurrently: 1 },
    });
    const topic = `idem.${randomUUID().slice(0, 8)}`;
    await expect(strict.publish([message(topic, 'k', 'v')])).rejects.toThrow(
      /KAFKA_IDEMPOTENT_PRODUCER=false/,
    );
    await strict.close();
    const plain = new KafkaMessageBus({
      clientId: 'idempotent-test',
      brokers: cluster.brokers,
      logger: silentLogger,
      idempotentProducer: false,
      consumer: { ...MOCK_CLUSTER_CONSUMER_TUNING, partitionsConsumedConcurrently: 1 },
    });
    await expect(plain.publish([message(topic, 'k', 'v')])).resolves.toBeUndefined();
    await plain.close();
  });
});
