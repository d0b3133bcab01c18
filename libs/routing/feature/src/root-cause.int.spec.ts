import type { DataSource } from 'typeorm';
import { silentLogger } from '@klaxon/platform/observability';
import { createDataSource, runMigrations } from '@klaxon/platform/persistence';
import { DEFAULT_ROOT_CAUSE_POLICY, DEMO_ORGANISATION } from '@klaxon/routing/domain';
import { startPostgresCluster, type PostgresCluster } from '@klaxon/testing';
import { OrganisationSeeder } from './organisation.seeder';
import { RootCauseDetector } from './root-cause-detector';
import { RootCauseWork } from './root-cause-work';
import { DEFAULT_ROUTING_OPTIONS } from './routing.module';
import type { RoutingOptions } from './routing.options';

// The root-cause detector and work on real PostgreSQL, counted per unit, with a configured owner
// (a quality officer); time is the test's.
jest.setTimeout(60_000);

const options: RoutingOptions = {
  ...DEFAULT_ROUTING_OPTIONS,
  organisation: DEMO_ORGANISATION,
  rootCause: { ...DEFAULT_ROOT_CAUSE_POLICY, byUnit: true, reviewDueWorkingDays: 2, ownerId: 'm-exec' },
};
let pg: PostgresCluster;
let ds: DataSource;
let now = new Date('2026-11-24T09:00:00Z'); // Tuesday 10:00 in Amsterdam
const detector = new RootCauseDetector(options);
let work: RootCauseWork;
let seq = 0;

async function complaint(unit: string | null, minutesAgo = 10): Promise<string> {
  const id = `cmp_rootcauseunit${String(++seq).padStart(10, '0')}`;
  await ds.query(
    `INSERT INTO complaints (id, channel, source_id, status, received_at, text, customer, category, complaint_label, unit, team_id)
     VALUES ($1, 'web', $1, 'assigned', $2, 'lekkende doos', '{}', 'delivery', 'explicit', $3, 'logistics')`,
    [id, new Date(now.getTime() - minutesAgo * 60_000).toISOString(), unit],
  );
  return id;
}
const check = () => ds.transaction((m) => detector.checkRootCauses(m, ['delivery'], now));
const items = async (kind: string) =>
  (await ds.query(
    `SELECT r.*, (SELECT array_agg(l.complaint_id ORDER BY l.complaint_id) FROM root_cause_links l WHERE l.item_id = r.id) AS linked
         FROM root_cause_items r WHERE kind = $1 ORDER BY unit NULLS FIRST, opened_at`,
    [kind],
  )) as Array<{
    id: string;
    unit: string | null;
    owner_id: string;
    team_id: string;
    due_at: Date;
    linked: string[];
  }>;

beforeAll(async () => {
  pg = await startPostgresCluster();
  ds = createDataSource({ url: await pg.createDatabase('rootcause'), poolMax: 3 });
  await ds.initialize();
  await runMigrations(ds);
  await new OrganisationSeeder(ds, options, silentLogger).onApplicationBootstrap();
  work = new RootCauseWork(ds, { now: () => now }, silentLogger);
});

afterAll(async () => {
  await ds?.destroy();
  await pg?.stop();
});

it('counts per unit: three in one unit open its review, owned by the configured owner', async () => {
  const utrecht = [await complaint('utrecht'), await complaint('utrecht'), await complaint('utrecht')];
  const amsterdam = [await complaint('amsterdam'), await complaint('amsterdam')];
  await check();
  const [review] = await items('review');
  expect(await items('review')).toHaveLength(1);
  expect(review).toMatchObject({ unit: 'utrecht', owner_id: 'm-exec', team_id: 'logistics' });
  expect(review.linked).toEqual([...utrecht].sort());
  // Two of the owner's working days (office hours to 17:30): Wednesday, Thursday.
  expect(new Date(review.due_at).toISOString()).toBe('2026-11-26T16:30:00.000Z');

  // A third in Amsterdam opens Amsterdam's own; a later Utrecht complaint links to Utrecht's only.
  now = new Date('2026-11-24T10:00:00Z');
  const third = await complaint('amsterdam');
  const later = await complaint('utrecht');
  await check();
  const [a, u] = await items('review'); // by unit
  expect(u.linked).toEqual([...utrecht, later].sort());
  expect(a).toMatchObject({ unit: 'amsterdam' });
  expect(a.linked).toEqual([...amsterdam, third].sort());
  // It links to the spike that five of them already flagged, too (during the spike's day).
  const how = await ds.query(
    `SELECT r.kind, l.how FROM root_cause_links l JOIN root_cause_items r ON r.id = l.item_id WHERE l.complaint_id = $1 ORDER BY r.kind`,
    [later],
  );
  expect(how).toEqual([
    { kind: 'review', how: 'later' },
    { kind: 'spike', how: 'later' },
  ]);
});

it('flags one spike for the category across units, and marks overdue reviews once', async () => {
  // Five of the category today against none before flagged one spike, whatever the unit; the later two link to it.
  const [spike] = await items('spike');
  expect(spike.unit).toBeNull();
  expect(spike.linked).toHaveLength(7);
  expect(await items('spike')).toHaveLength(1);

  // Both reviews opened on Tuesday: due Thursday at the end of the owner's day.
  now = new Date('2026-11-26T16:29:59Z');
  expect(await ds.transaction((m) => work.markOverdue(m, now))).toBe(0);
  expect((await work.list({ overdue: 'true', page: 1, pageSize: 10 }, null)).total).toBe(0);
  now = new Date('2026-11-26T16:30:00Z');
  expect(await ds.transaction((m) => work.markOverdue(m, now))).toBe(2);
  expect(await ds.transaction((m) => work.markOverdue(m, now))).toBe(0);
  const list = await work.list({ overdue: 'true', page: 1, pageSize: 10 }, null);
  expect(list.items.map((i) => i.unit).sort()).toEqual(['amsterdam', 'utrecht']);
  expect(list.items.every((i) => i.overdue && i.overdueAt === '2026-11-26T16:30:00.000Z')).toBe(true);
  // Another team's view has none of them.
  expect((await work.list({ page: 1, pageSize: 10 }, ['webcare'])).total).toBe(0);
});
