import { encodeEvent, ComplaintReceivedEvent, complaintIdFor } from '@klaxon/contracts';
import { startPostgresCluster, type PostgresCluster } from '@klaxon/testing';
import type { DataSource } from 'typeorm';
import { InProcessMessageBus, SETTLEMENT_ID_HEADER } from '@klaxon/platform/messaging';
import { silentLogger } from '@klaxon/platform/observability';
import {
  OutboxRelay,
  appendToOutbox,
  claimEvents,
  createDataSource,
  runMigrations,
  MIGRATIONS,
  MIGRATION_LOCK,
  ENTITIES,
  ProcessedEventsPruner,
} from './index';
import { TaxonomyRoutingRules1764000800000 } from './migrations/1764000800000-taxonomy-routing-rules';

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

describe('the taxonomy migration', () => {
  it('saves the rules in force once more with billing and price renamed to price-billing, once, and can take it back', async () => {
    const db = createDataSource({ url: await pg.createDatabase('taxonomy_rules'), poolMax: 2 });
    await db.initialize();
    await runMigrations(db);
    // What a database seeded by an earlier release holds: the shipped demo rules of that time.
    await db.query(
      `INSERT INTO teams (id, name) VALUES ('billing', 'Billing'), ('customer-service', 'Service')`,
    );
    await db.query(
      `INSERT INTO team_members (id, team_id, name, role, capacity, skills) VALUES ('m1', 'billing', 'Julia', 'handler', 5, $1)`,
      [JSON.stringify({ languages: ['nl'], categories: ['price', 'billing', 'delivery'], channels: [] })],
    );
    const old = [
      { id: 'social-to-webcare', match: { channels: ['social'] }, teamId: 'customer-service' },
      {
        id: 'critical-billing',
        match: { categories: ['billing', 'price'], priorities: ['critical'] },
        teamId: 'billing',
        requiredAuthority: 500,
      },
      { id: 'billing', match: { categories: ['billing', 'price'] }, teamId: 'billing' },
      { id: 'staff', match: { categories: ['staff'] }, teamId: 'customer-service' },
    ];
    await db.query(
      `INSERT INTO routing_rule_sets (version, rules, default_team_id, created_by) VALUES (1, $1, 'customer-service', 'seed')`,
      [JSON.stringify(old)],
    );
    const migration = new TaxonomyRoutingRules1764000800000();
    const runner = db.createQueryRunner();
    try {
      await migration.up(runner);
      await migration.up(runner); // nothing left to rename: no third version
      const versions = await db.query(
        'SELECT version, rules, default_team_id, created_by FROM routing_rule_sets ORDER BY version',
      );
      expect(versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
      expect(versions[0].rules).toEqual(old);
      expect(versions[1]).toMatchObject({
        default_team_id: 'customer-service',
        created_by: expect.any(String),
      });
      expect(versions[1].rules.map((r: { match: { categories?: string[] } }) => r.match.categories)).toEqual([
        undefined,
        ['price-billing'],
        ['price-billing'],
        ['staff'],
      ]);
      expect(versions[1].rules[1]).toEqual({
        ...old[1],
        match: { categories: ['price-billing'], priorities: ['critical'] },
      });
      const [member] = await db.query(`SELECT skills FROM team_members WHERE id = 'm1'`);
      expect(member.skills).toEqual({
        languages: ['nl'],
        categories: ['price-billing', 'delivery'],
        channels: [],
      });

      await migration.down(runner);
      expect(
        (await db.query('SELECT version FROM routing_rule_sets')).map((v: { version: number }) => v.version),
      ).toEqual([1]);
    } finally {
      await runner.release();
      await db.destroy();
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
      // The relay deletes the row after the bus took it, which can be after the consumer saw it.
      await until(
        async () => seen.includes(committed.key) && (await outboxCount()) === 0,
        'the event relayed',
      );
      expect(seen).toEqual([committed.key]);
    } finally {
      await relay.stop();
      await bus.close();
    }
  });
});

async function outboxCount(): Promise<number> {
  return ((await ds.query('SELECT count(*)::int AS n FROM outbox')) as Array<{ n: number }>)[0].n;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the outbox relay with the in-process bus (embedded mode)', () => {
  it('keeps a row until every group committed its event, and a restart publishes what was held', async () => {
    await runMigrations(ds);
    await ds.query('DELETE FROM outbox');
    const events = ['held-1', 'held-2', 'held-3'].map((id) =>
      encodeEvent(ComplaintReceivedEvent, {
        ...ComplaintReceivedEvent.example,
        complaintId: complaintIdFor('web', id),
      }),
    );
    // A process whose consumer never commits (it is stopped mid-batch, as by SIGTERM).
    const first = new InProcessMessageBus({ logger: silentLogger });
    let taken = 0;
    let release!: () => void;
    const stopped = new Promise<void>((resolve) => (release = resolve));
    await first.subscribe({
      groupId: 'classifier',
      topics: [ComplaintReceivedEvent.topic],
      handler: async (batch) => {
        taken += batch.length;
        await stopped;
        throw new Error('stopped before its transaction committed');
      },
    });
    const settlement = (bus: InProcessMessageBus) => ({
      header: SETTLEMENT_ID_HEADER,
      onSettled: (listener: (ids: string[]) => void) => bus.onSettled(listener),
    });
    const relay1 = new OutboxRelay({
      dataSource: ds,
      bus: first,
      logger: silentLogger,
      settlement: settlement(first),
    });
    relay1.start();
    await ds.transaction((m) => appendToOutbox(m, events));
    await until(async () => taken > 0, 'the first process taking the events');
    const closing = first.close();
    release();
    await closing;
    await relay1.stop();
    expect(await outboxCount()).toBe(3);

    // The next start: the same rows go out again, and once committed they are gone.
    const second = new InProcessMessageBus({ logger: silentLogger });
    const seen: string[] = [];
    await second.subscribe({
      groupId: 'classifier',
      topics: [ComplaintReceivedEvent.topic],
      handler: async (batch) => void seen.push(...batch.map((m) => m.key!)),
    });
    const relay2 = new OutboxRelay({
      dataSource: ds,
      bus: second,
      logger: silentLogger,
      settlement: settlement(second),
    });
    relay2.start();
    try {
      await until(async () => (await outboxCount()) === 0, 'the held rows settled');
      expect(seen.sort()).toEqual(events.map((e) => e.key).sort());
    } finally {
      await relay2.stop();
      await second.close();
    }
  });
});

describe('relays of several processes', () => {
  const received = (key: string, n: number) =>
    encodeEvent(
      ComplaintReceivedEvent,
      { ...ComplaintReceivedEvent.example, complaintId: complaintIdFor('web', key), text: `#${n}` },
      { eventId: `${key}:${n}` },
    );
  /** A bus that records what it was given and refuses messages whose key is in `poison`. */
  const recordingBus = (poison = new Set<string>()) => {
    const published: Array<{ key: string; eventId: string }> = [];
    const bus = {
      publish: async (messages: Array<{ key?: string | null; headers?: Record<string, string> }>) => {
        if (messages.some((m) => poison.has(m.key!))) throw new Error('record too large');
        published.push(
          ...messages.map((m) => ({ key: m.key!, eventId: m.headers!['klaxon-event-id'] ?? '' })),
        );
      },
    };
    return { bus: bus as unknown as InProcessMessageBus, published };
  };

  it('keep a key in order: rows of a key another relay holds an earlier row of wait for it', async () => {
    await runMigrations(ds);
    await ds.query('DELETE FROM outbox');
    await ds.transaction((m) => appendToOutbox(m, [received('a', 1), received('b', 1)]));
    await ds.transaction((m) => appendToOutbox(m, [received('a', 2), received('b', 2)]));
    const a = received('a', 1).key;
    const { bus, published } = recordingBus();
    const relay = new OutboxRelay({ dataSource: ds, bus, logger: silentLogger });
    // Another relay is publishing a's first row (holds its lock) right now.
    const other = ds.createQueryRunner();
    await other.connect();
    await other.startTransaction();
    try {
      await other.query('SELECT id FROM outbox WHERE key = $1 ORDER BY id LIMIT 1 FOR UPDATE', [a]);
      expect(await relay.relayOnce()).toBe(2);
      expect(published.map((p) => p.key)).not.toContain(a);
    } finally {
      await other.rollbackTransaction();
      await other.release();
    }
    expect(await relay.relayOnce()).toBe(2);
    expect(published.filter((p) => p.key === a).map((p) => p.eventId)).toEqual(['a:1', 'a:2']);
  });

  it('set a row aside after repeated failed publishes while others go out, with its reason', async () => {
    await runMigrations(ds);
    await ds.query('DELETE FROM outbox');
    const bad = received('bad', 1).key;
    const { bus, published } = recordingBus(new Set([bad]));
    const relay = new OutboxRelay({ dataSource: ds, bus, logger: silentLogger, maxAttempts: 3 });
    await ds.transaction((m) => appendToOutbox(m, [received('bad', 1), received('bad', 2)]));
    for (let round = 1; round <= 3; round++) {
      await ds.transaction((m) => appendToOutbox(m, [received(`good-${round}`, 1)]));
      expect(await relay.relayOnce()).toBe(1);
    }
    const [row] = (await ds.query(
      'SELECT attempts, last_error, parked_at IS NOT NULL AS parked FROM outbox WHERE key = $1 ORDER BY id LIMIT 1',
      [bad],
    )) as Array<{ attempts: number; last_error: string; parked: boolean }>;
    expect(row).toEqual({ attempts: 3, last_error: 'record too large', parked: true });
    expect(await relay.parkedCount()).toBe(1);
    expect(published.map((p) => p.eventId)).toEqual(['good-1:1', 'good-2:1', 'good-3:1']);
    // Only the bus failing (nothing goes out) counts against no row.
    const down = new OutboxRelay({
      dataSource: ds,
      bus: {
        publish: async () => Promise.reject(new Error('broker down')),
      } as unknown as InProcessMessageBus,
      logger: silentLogger,
    });
    await ds.transaction((m) => appendToOutbox(m, [received('c', 1)]));
    await expect(down.relayOnce()).rejects.toThrow('broker down');
    expect(await ds.query('SELECT attempts FROM outbox WHERE parked_at IS NULL ORDER BY id')).toEqual([
      { attempts: 0 },
      { attempts: 0 },
    ]);
  });
});

describe('housekeeping', () => {
  it('waits for the migration lock longer than the statement timeout allows a statement', async () => {
    await runMigrations(ds);
    const url = await pg.createDatabase('persistence_timeout');
    const strict = createDataSource({ url, poolMax: 2, statementTimeoutMs: 300 });
    const holder = createDataSource({ url, poolMax: 1 });
    await Promise.all([strict.initialize(), holder.initialize()]);
    const runner = holder.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      const migrating = runMigrations(strict);
      // Released once the migrating side is seen waiting on the lock, well past 300 ms.
      await until(async () => {
        const [{ n }] = (await runner.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
        )) as Array<{ n: number }>;
        return n > 0;
      }, 'the migration waiting for the lock');
      await new Promise((r) => setTimeout(r, 600));
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      expect((await migrating).length).toBe(MIGRATIONS.length);
    } finally {
      await runner.release();
      await Promise.all([strict.destroy(), holder.destroy()]);
    }
  });

  it('prunes idempotency claims older than the retention window, in batches, and keeps the rest', async () => {
    await runMigrations(ds);
    await ds.query('DELETE FROM processed_events');
    await ds.query(
      `INSERT INTO processed_events (consumer, event_id, processed_at)
       SELECT 'c', 'old-' || i, now() - interval '40 days' FROM generate_series(1, 5) i
       UNION ALL SELECT 'c', 'new-' || i, now() - interval '1 day' FROM generate_series(1, 3) i`,
    );
    const pruner = new ProcessedEventsPruner({
      dataSource: ds,
      logger: silentLogger,
      retentionMs: 35 * 86_400_000,
      batchSize: 2,
    });
    expect(await pruner.pruneOnce()).toBe(5);
    const left = (await ds.query('SELECT event_id FROM processed_events ORDER BY event_id')) as Array<{
      event_id: string;
    }>;
    expect(left.map((r) => r.event_id)).toEqual(['new-1', 'new-2', 'new-3']);
    // A claim still inside the window keeps a redelivery out.
    await ds.transaction(async (m) => expect([...(await claimEvents(m, 'c', ['new-1']))]).toEqual([]));
  });
});

// The embedded PGlite (which Jest's VM cannot load: it imports its WASM dynamically) is proven by
// test/e2e/embedded.e2e.spec.ts, which runs `npm start`'s app as a process and restarts it on the same data.
