import { encodeEvent, ComplaintReceivedEvent, complaintIdFor } from '@klaxon/contracts';
import { startPostgresCluster, type PostgresCluster } from '@klaxon/testing';
import type { DataSource } from 'typeorm';
import { InProcessMessageBus } from '@klaxon/platform/messaging';
import { silentLogger } from '@klaxon/platform/observability';
import {
  OutboxRelay,
  appendToOutbox,
  claimEvents,
  createDataSource,
  runMigrations,
  MIGRATIONS,
  ENTITIES,
} from './index';

// Real PostgreSQL: a throwaway cluster of this test's own.
jest.setTimeout(60_000);

let pg: PostgresCluster;
let ds: DataSource;

beforeAll(async () => {
  pg = await startPostgresCluster();
  ds = createDataSource({ url: await pg.createDatabase('persistence'), poolMax: 4 });
  await ds.initialize();
});

afterAll(async () => {
  await ds?.destroy();
  await pg?.stop();
});

describe('migrations', () => {
  it('apply once even when several replicas start at the same moment', async () => {
    const url = await pg.createDatabase('racing_replicas');
    const replicas = Array.from({ length: 3 }, () => createDataSource({ url, poolMax: 3 }));
    await Promise.all(replicas.map((r) => r.initialize()));
    const applied = await Promise.all(replicas.map((r) => runMigrations(r)));
    expect(applied.flat().sort()).toEqual(MIGRATIONS.map((m) => new m().name!).sort());
    const [{ n }] = await replicas[0].query('SELECT count(*)::int AS n FROM schema_migrations');
    expect(n).toBe(MIGRATIONS.length);
    await Promise.all(replicas.map((r) => r.destroy()));
  });

  it('give every entity column a real column in the database', async () => {
    await runMigrations(ds);
    for (const entity of ENTITIES) {
      const meta = ds.getMetadata(entity);
      const rows = (await ds.query(
        'SELECT column_name FROM information_schema.columns WHERE table_name = $1',
        [meta.tableName],
      )) as Array<{ column_name: string }>;
      const actual = new Set(rows.map((r) => r.column_name));
      expect(meta.columns.map((c) => c.databaseName).filter((c) => !actual.has(c))).toEqual([]);
    }
  });
});

describe('idempotent consumers', () => {
  it('claim an event id once: a redelivery is recognised, also by a concurrent replica', async () => {
    await runMigrations(ds);
    const first = await ds.transaction((m) => claimEvents(m, 'test-consumer', ['e1', 'e2']));
    expect([...first].sort()).toEqual(['e1', 'e2']);
    const again = await ds.transaction((m) => claimEvents(m, 'test-consumer', ['e2', 'e3']));
    expect([...again]).toEqual(['e3']);
    expect([...(await ds.transaction((m) => claimEvents(m, 'other-consumer', ['e1'])))]).toEqual(['e1']);

    // Two replicas racing on the same id: exactly one wins.
    const race = await Promise.all([
      ds.transaction((m) => claimEvents(m, 'test-consumer', ['race'])),
      ds.transaction((m) => claimEvents(m, 'test-consumer', ['race'])),
    ]);
    expect(race.map((s) => s.size).sort()).toEqual([0, 1]);
  });

  it('forget the claim when the transaction that made it rolls back', async () => {
    await expect(
      ds.transaction(async (m) => {
        await claimEvents(m, 'rollback-consumer', ['r1']);
        throw new Error('effects failed');
      }),
    ).rejects.toThrow('effects failed');
    expect([...(await ds.transaction((m) => claimEvents(m, 'rollback-consumer', ['r1'])))]).toEqual(['r1']);
  });
});

describe('outbox', () => {
  it('keeps events only when the state change commits, byte for byte', async () => {
    await runMigrations(ds);
    const event = encodeEvent(ComplaintReceivedEvent, {
      ...ComplaintReceivedEvent.example,
      complaintId: complaintIdFor('web', 'outbox-1'),
    });
    await ds.transaction((m) => appendToOutbox(m, [event]));
    await ds
      .transaction(async (m) => {
        await appendToOutbox(m, [event]);
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    const rows = (await ds.query('SELECT topic, key, value, headers FROM outbox WHERE key = $1', [
      event.key,
    ])) as Array<{ topic: string; key: string; value: Buffer; headers: Record<string, string> }>;
    expect(rows).toHaveLength(1);
    expect(rows[0].topic).toBe(event.topic);
    expect(Buffer.compare(rows[0].value, event.value)).toBe(0);
    expect(rows[0].headers).toEqual(event.headers);
  });
});

describe('the outbox relay', () => {
  it('is woken by the commit of a transaction that wrote to the outbox, not by its poll', async () => {
    await runMigrations(ds);
    await ds.query('DELETE FROM outbox');
    const bus = new InProcessMessageBus({ logger: silentLogger });
    const seen: string[] = [];
    await bus.subscribe({
      groupId: 'relay-test',
      topics: [ComplaintReceivedEvent.topic],
      handler: async (batch) => void seen.push(...batch.map((m) => m.key!)),
    });
    // A poll far beyond the test's patience: only the commit can make the event go out in time.
    const relay = new OutboxRelay({ dataSource: ds, bus, logger: silentLogger, idleDelayMs: 600_000 });
    relay.start();
    try {
      await new Promise((r) => setTimeout(r, 300)); // the first poll found nothing and sleeps
      const rolledBack = encodeEvent(ComplaintReceivedEvent, {
        ...ComplaintReceivedEvent.example,
        complaintId: complaintIdFor('web', 'relay-rolled-back'),
      });
      await ds
        .transaction(async (m) => {
          await appendToOutbox(m, [rolledBack]);
          throw new Error('rolled back');
        })
        .catch(() => undefined);
      const committed = encodeEvent(ComplaintReceivedEvent, {
        ...ComplaintReceivedEvent.example,
        complaintId: complaintIdFor('web', 'relay-committed'),
      });
      await ds.transaction((m) => appendToOutbox(m, [committed]));
      const deadline = Date.now() + 10_000;
      while (!seen.includes(committed.key) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(seen).toEqual([committed.key]);
      expect(await ds.query('SELECT count(*)::int AS n FROM outbox')).toEqual([{ n: 0 }]);
    } finally {
      await relay.stop();
      await bus.close();
    }
  });
});

// The embedded PGlite (which Jest's VM cannot load: it imports its WASM dynamically) is proven by
// test/e2e/embedded.e2e.spec.ts, which runs `npm start`'s app as a process and restarts it on the same data.
