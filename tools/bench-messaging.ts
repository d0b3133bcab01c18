/**
 * npm run bench:messaging — the message bus on the Kafka mock cluster (3 brokers) and in process:
 * publish throughput (one awaited send at a time vs. coalesced concurrent publishes vs. batches) and
 * produce+consume end to end through a consumer group. Prints figures side by side; asserts nothing.
 */
import { randomUUID } from 'node:crypto';
import {
  InProcessMessageBus,
  KafkaMessageBus,
  type MessageBus,
  type OutgoingMessage,
} from '@klaxon/platform/messaging';
import { silentLogger } from '@klaxon/platform/observability';
import { startKafkaMockCluster } from '@klaxon/testing';

const N = Number(process.argv[2] ?? 20_000);
const BASELINE_N = Math.min(N, 2_000);
const payload = 'x'.repeat(500);

const messages = (topic: string, n: number): OutgoingMessage[] =>
  Array.from({ length: n }, (_, i) => ({
    topic,
    key: `key-${i % 100}`,
    value: Buffer.from(`${i}:${payload}`),
    headers: { seq: String(i) },
  }));

const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} msg/s`;

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function endToEnd(bus: MessageBus, n: number): Promise<number> {
  const topic = `bench.e2e.${randomUUID().slice(0, 8)}`;
  let consumed = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const sub = await bus.subscribe({
    groupId: `bench-${randomUUID().slice(0, 8)}`,
    topics: [topic],
    maxBatchSize: 500,
    handler: async (batch) => {
      consumed += batch.length;
      if (consumed >= n) done();
    },
  });
  const msgs = messages(topic, n);
  const ms = await timed(async () => {
    for (let i = 0; i < msgs.length; i += 500) await bus.publish(msgs.slice(i, i + 500));
    await all;
  });
  await sub.stop();
  return ms;
}

async function main(): Promise<void> {
  const cluster = await startKafkaMockCluster({ brokers: 3 });
  const kafka = new KafkaMessageBus({
    clientId: 'bench',
    brokers: cluster.brokers,
    logger: silentLogger,
    consumer: {
      sessionTimeout: 6_000,
      heartbeatInterval: 500,
      rebalanceTimeout: 6_000,
      maxWaitTimeInMs: 100,
      partitionsConsumedConcurrently: 4,
    },
  });
  const rows: Array<[string, string]> = [];
  try {
    await kafka.ensureTopics([{ name: 'bench.warmup', partitions: 4, retentionDays: 1 }]);
    await kafka.publish(messages('bench.warmup', 10));

    const single = messages(`bench.single.${randomUUID().slice(0, 8)}`, BASELINE_N);
    const singleMs = await timed(async () => {
      for (const m of single) await kafka.publish([m]);
    });
    rows.push([`kafka: one awaited publish per message (${BASELINE_N})`, rate(BASELINE_N, singleMs)]);

    const concurrent = messages(`bench.concurrent.${randomUUID().slice(0, 8)}`, N);
    const concurrentMs = await timed(async () => {
      await Promise.all(concurrent.map((m) => kafka.publish([m])));
    });
    rows.push([`kafka: ${N} concurrent single-message publishes (coalesced)`, rate(N, concurrentMs)]);

    const batched = messages(`bench.batched.${randomUUID().slice(0, 8)}`, N);
    const batchedMs = await timed(async () => {
      for (let i = 0; i < batched.length; i += 500) await kafka.publish(batched.slice(i, i + 500));
    });
    rows.push([`kafka: publish in batches of 500 (${N})`, rate(N, batchedMs)]);

    const e2eMs = await endToEnd(kafka, N);
    rows.push([`kafka: produce + consume end to end (${N}, group already joined)`, rate(N, e2eMs)]);
  } finally {
    await kafka.close();
    await cluster.stop();
  }

  const local = new InProcessMessageBus({ logger: silentLogger });
  const localMs = await endToEnd(local, N);
  await local.close();
  rows.push([`in-process: produce + consume end to end (${N})`, rate(N, localMs)]);

  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
