import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { createMetricsRegistry, silentLogger, type Registry } from '@klaxon/platform/observability';
import { claimFresh, createDataSource, runMigrations } from './index';
import {
  startKafkaMockCluster,
  startPostgresCluster,
  MOCK_CLUSTER_CONSUMER_TUNING,
  type KafkaMockCluster,
  type PostgresCluster,
} from '@klaxon/testing';
import {
  KafkaMessageBus,
  type BatchHandler,
  type OutgoingMessage,
  type Subscription,
} from '@klaxon/platform/messaging';

// A second member joins the group and leaves again while 5,000 messages flow: nothing is lost,
// no effect happens twice, and the group's committed offsets end at the end of every partition.
jest.setTimeout(180_000);

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
const buses: KafkaMessageBus[] = [];

beforeAll(async () => {
  [kafka, pg] = await Promise.all([startKafkaMockCluster({ brokers: 1 }), startPostgresCluster()]);
  ds = createDataSource({ url: await pg.createDatabase('rebalance'), poolMax: 6 });
  await ds.initialize();
  await runMigrations(ds);
  await ds.query(`CREATE TABLE effects (event_id text PRIMARY KEY, applied int NOT NULL DEFAULT 1)`);
});

afterAll(async () => {
  for (const bus of buses) await bus.close();
  await ds?.destroy();
  await Promise.all([kafka?.stop(), pg?.stop()]);
});

const newBus = (name: string, metrics?: Registry) => {
  const bus = new KafkaMessageBus({
    clientId: name,
    brokers: kafka.brokers,
    logger: silentLogger,
    metrics,
    consumer: { ...MOCK_CLUSTER_CONSUMER_TUNING, partitionsConsumedConcurrently: 4 },
  });
  buses.push(bus);
  return bus;
};

it('a member joining and leaving mid-stream: 5,000 messages, each applied once, offsets at the end', async () => {
  const topic = `rebalance.${randomUUID().slice(0, 8)}`;
  const groupId = `rebalance-${randomUUID().slice(0, 8)}`;
  const total = 5_000;
  let applied = 0;
  const handledBy = { first: 0, second: 0 };
  const handler =
    (who: keyof typeof handledBy): BatchHandler =>
    async (batch) => {
      const n = await ds.transaction(async (m) => {
        const todo = await claimFresh(m, 'rebalance-consumer', batch, (x) => x.value!.toString());
        if (todo.length === 0) return 0;
        await m.query(
          `INSERT INTO effects (event_id) SELECT unnest($1::text[])
           ON CONFLICT (event_id) DO UPDATE SET applied = effects.applied + 1`,
          [todo.map((x) => x.value!.toString())],
        );
        return todo.length;
      });
      applied += n;
      handledBy[who] += batch.length;
    };

  const metrics = createMetricsRegistry('rebalance-test');
  const joins = async () =>
    ((await metrics.getSingleMetric('klaxon_consumer_group_joins_total')?.get())?.values ?? []).reduce(
      (n, v) => n + v.value,
      0,
    );
  const first = newBus('rebalance-first', metrics);
  const subscribe = (bus: KafkaMessageBus, who: keyof typeof handledBy): Promise<Subscription> =>
    bus.subscribe({ groupId, topics: [topic], maxBatchSize: 50, handler: handler(who) });
  const one = await subscribe(first, 'first');

  // A steady stream: 100 messages every 100 ms, so it is still flowing through both rebalances. The
  // last 500 wait until the second member has left (on a busy machine its join can take longer than
  // the whole stream): the leave always happens while messages are still coming.
  let sent = 0;
  let secondLeft: () => void = () => undefined;
  const afterSecondLeft = new Promise<void>((resolve) => (secondLeft = resolve));
  const producing = (async () => {
    while (sent < total) {
      if (sent >= total - 500) await afterSecondLeft;
      const n = Math.min(100, total - sent);
      await first.publish(
        Array.from({ length: n }, (_, i) => message(topic, `key-${(sent + i) % 97}`, `evt-${sent + i}`)),
      );
      sent += n;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  await eventually(() => applied >= 500, 60_000, 'the first member under way');
  const second = newBus('rebalance-second');
  const two = await subscribe(second, 'second');
  await eventually(() => handledBy.second > 0, 60_000, 'the second member handling its share');
  const whenSecondLeft = sent;
  await two.stop();
  secondLeft();
  expect(whenSecondLeft).toBeLessThan(total); // it left while messages were still coming
  await producing;
  await eventually(() => applied >= total, 90_000, 'every message applied');
  await one.stop();

  const [row] = (await ds.query(
    `SELECT count(*)::int AS events, coalesce(max(applied), 0)::int AS most FROM effects`,
  )) as Array<{ events: number; most: number }>;
  expect(row).toEqual({ events: total, most: 1 });
  expect(applied).toBe(total);
  // The first member joined, rejoined when the second came, and again when it left.
  expect(await joins()).toBeGreaterThanOrEqual(3);

  // Nothing moved a partition's committed offset backwards: the group ends where the topic ends.
  const admin = new Kafka({
    clientId: 'rebalance-check',
    brokers: kafka.brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const at = new Map(committed.partitions.map((p) => [p.partition, p.offset]));
    for (const p of ends)
      expect({ partition: p.partition, offset: at.get(p.partition) }).toEqual({
        partition: p.partition,
        offset: p.high,
      });
  } finally {
    await admin.disconnect();
  }
});
