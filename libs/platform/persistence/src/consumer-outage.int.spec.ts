import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { silentLogger, createMetricsRegistry, type Registry } from '@klaxon/platform/observability';
import { claimFresh, createDataSource, runMigrations } from './index';
import {
  startKafkaMockCluster,
  startPostgresCluster,
  MOCK_CLUSTER_CONSUMER_TUNING,
  type KafkaMockCluster,
  type PostgresCluster,
} from '@klaxon/testing';
import { KafkaMessageBus, type OutgoingMessage, type Subscription } from '@klaxon/platform/messaging';

// PostgreSQL stopped mid-stream and started again: the consumer waits on the same batch, loses nothing,
// dead-letters nothing, applies nothing twice, and says it is stalled while it waits.
jest.setTimeout(120_000);

async function eventually(check: () => boolean, waitMs: number, what: string): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const message = (topic: string, key: string, value: string): OutgoingMessage => ({
  topic,
  key,
  value: Buffer.from(value),
  headers: {},
});

let kafka: KafkaMockCluster;
let pg: PostgresCluster;
let ds: DataSource;
let bus: KafkaMessageBus;
let metrics: Registry;
let subscription: Subscription | undefined;

beforeAll(async () => {
  [kafka, pg] = await Promise.all([startKafkaMockCluster({ brokers: 1 }), startPostgresCluster()]);
  ds = createDataSource({ url: await pg.createDatabase('outage'), poolMax: 4 });
  await ds.initialize();
  await runMigrations(ds);
  await ds.query(`CREATE TABLE effects (event_id text PRIMARY KEY, applied int NOT NULL DEFAULT 1)`);
  metrics = createMetricsRegistry('outage-test');
  bus = new KafkaMessageBus({
    clientId: 'outage-test',
    brokers: kafka.brokers,
    logger: silentLogger,
    metrics,
    consumer: { ...MOCK_CLUSTER_CONSUMER_TUNING, partitionsConsumedConcurrently: 4 },
  });
});

afterAll(async () => {
  await subscription?.stop();
  await bus?.close();
  await ds?.destroy();
  await Promise.all([kafka?.stop(), pg?.stop()]);
});

const metric = async (name: string): Promise<number> => {
  const m = await metrics.getSingleMetric(name)?.get();
  return (m?.values ?? []).reduce((n, v) => n + v.value, 0);
};

it('an outage of PostgreSQL mid-stream: all processed once, 0 dead letters, stalled while it lasted', async () => {
  const topic = `outage.${randomUUID().slice(0, 8)}`;
  const total = 3_000;
  let applied = 0;
  subscription = await bus.subscribe({
    groupId: `outage-${randomUUID().slice(0, 8)}`,
    topics: [topic],
    maxBatchSize: 100,
    retry: { attempts: 3, initialBackoffMs: 20, maxBackoffMs: 100, transientMaxBackoffMs: 500 },
    handler: async (batch) => {
      const n = await ds.transaction(async (m) => {
        const todo = await claimFresh(m, 'outage-consumer', batch, (x) => x.value!.toString());
        if (todo.length === 0) return 0;
        // ON CONFLICT counts a second application instead of failing: "applied twice" is then visible.
        await m.query(
          `INSERT INTO effects (event_id) SELECT unnest($1::text[])
           ON CONFLICT (event_id) DO UPDATE SET applied = effects.applied + 1`,
          [todo.map((x) => x.value!.toString())],
        );
        return todo.length;
      });
      applied += n;
    },
  });

  const ids = Array.from({ length: total }, (_, i) => `evt-${i}`);
  const send = (from: number, to: number) =>
    bus.publish(ids.slice(from, to).map((id, i) => message(topic, `key-${(from + i) % 40}`, id)));
  await send(0, 1_000);
  await eventually(() => applied >= 300, 60_000, 'the consumer under way');

  await pg.halt();
  await send(1_000, total); // keeps flowing while the database is away
  await eventually(() => bus.stalls().length > 0, 30_000, 'the consumer to report the stall');
  expect(bus.isHealthy()).toBe(false);
  expect(bus.stalls()[0].reason).toMatch(/^(econnrefused|sqlstate-57p01|connection-lost)$/);
  // Down for longer than the retry budget of a message failure (3 attempts) would have allowed.
  const deadline = Date.now() + 30_000;
  while ((await metric('klaxon_consumer_transient_failures_total')) < 8) {
    if (Date.now() > deadline) throw new Error('timed out waiting for 8 transient failures');
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(bus.stalls()[0].attempts).toBeGreaterThanOrEqual(3);
  const stalledAt = applied;
  expect(stalledAt).toBeLessThan(total);

  await pg.resume();
  await eventually(() => applied >= total, 90_000, 'every message applied after the restart');
  await eventually(() => bus.stalls().length === 0 && bus.isHealthy(), 30_000, 'healthy again');

  const [row] = (await ds.query(
    `SELECT count(*)::int AS events, coalesce(max(applied), 0)::int AS most FROM effects`,
  )) as Array<{ events: number; most: number }>;
  expect(row).toEqual({ events: total, most: 1 });
  expect(applied).toBe(total);
  expect(await metric('klaxon_messages_dead_lettered_total')).toBe(0);
  expect(await metric('klaxon_consumer_transient_failures_total')).toBeGreaterThan(0);
});
