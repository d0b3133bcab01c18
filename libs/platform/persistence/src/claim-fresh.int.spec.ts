import { startPostgresCluster, type PostgresCluster } from '@klaxon/testing';
import type { DataSource } from 'typeorm';
import { claimFresh, createDataSource, runMigrations } from './index';

// Real PostgreSQL: a throwaway cluster of this test's own.
jest.setTimeout(60_000);

let pg: PostgresCluster;
let ds: DataSource;

beforeAll(async () => {
  pg = await startPostgresCluster();
  ds = createDataSource({ url: await pg.createDatabase('claim_fresh'), poolMax: 4 });
  await ds.initialize();
  await runMigrations(ds);
  await ds.query(`CREATE TABLE team_load (team text PRIMARY KEY, open_count int NOT NULL)`);
});

afterAll(async () => {
  await ds?.destroy();
  await pg?.stop();
});

interface Resolved {
  eventId: string;
  team: string;
}

/** A consumer the way every stage writes one: claim, then apply only what is fresh, in one transaction. */
const applyResolved = (batch: Resolved[]) =>
  ds.transaction(async (m) => {
    const todo = await claimFresh(m, 'load-consumer', batch, (e) => e.eventId);
    for (const e of todo)
      await m.query(`UPDATE team_load SET open_count = open_count - 1 WHERE team = $1`, [e.team]);
    return todo;
  });

describe('claimFresh', () => {
  it('applies two copies of one event in one batch once, keeps batch order, and ignores a redelivery', async () => {
    await ds.query(`INSERT INTO team_load VALUES ('billing', 10), ('logistics', 10)`);
    const a = { eventId: 'evt-a', team: 'billing' };
    const b = { eventId: 'evt-b', team: 'logistics' };
    const c = { eventId: 'evt-c', team: 'billing' };
    const applied = await applyResolved([a, b, { ...a }, c, { ...b }]);
    expect(applied.map((e) => e.eventId)).toEqual(['evt-a', 'evt-b', 'evt-c']);
    expect(applied[0]).toBe(a); // the first copy, not the second
    expect(await applyResolved([c, a, { eventId: 'evt-d', team: 'logistics' }])).toEqual([
      { eventId: 'evt-d', team: 'logistics' },
    ]);
    const rows = (await ds.query(`SELECT team, open_count FROM team_load ORDER BY team`)) as Array<{
      team: string;
      open_count: number;
    }>;
    expect(rows).toEqual([
      { team: 'billing', open_count: 8 },
      { team: 'logistics', open_count: 8 },
    ]);
  });
});
