import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { silentLogger } from '@klaxon/platform/observability';
import { startKafkaMockCluster, type KafkaMockCluster } from '@klaxon/testing';
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
