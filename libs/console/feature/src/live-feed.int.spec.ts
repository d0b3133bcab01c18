import { ComplaintAssignedEvent, ComplaintReceivedEvent, encodeEvent } from '@klaxon/contracts';
import type { Principal } from '@klaxon/platform/auth';
import { InProcessMessageBus } from '@klaxon/platform/messaging';
import { createLogger } from '@klaxon/platform/observability';
import { createDataSource, runMigrations } from '@klaxon/platform/persistence';
import { startPostgresCluster, type PostgresCluster } from '@klaxon/testing';
import type { DataSource } from 'typeorm';
import { LiveFeed, type LiveEvent } from './live-feed';

// The live feed on the real in-process bus and a real PostgreSQL: from the latest offset, and per viewer.
jest.setTimeout(60_000);

let pg: PostgresCluster;
let ds: DataSource;
const logger = createLogger({ service: 'live-feed-test', level: 'warn' });

beforeAll(async () => {
  pg = await startPostgresCluster();
  ds = createDataSource({ url: await pg.createDatabase('live_feed'), poolMax: 2 });
  await ds.initialize();
  await runMigrations(ds);
  await ds.query(
    `INSERT INTO complaints (id, channel, source_id, status, received_at, text, team_id) VALUES
       ('cmp_aaaaaaaaaaaaaaaaaaaa', 'web', 'a', 'assigned', now(), 'parcel', 'logistics'),
       ('cmp_bbbbbbbbbbbbbbbbbbbb', 'web', 'b', 'assigned', now(), 'invoice', 'billing')`,
  );
});

afterAll(async () => {
  await ds?.destroy();
  await pg?.stop();
});

const user = (teamIds: string[]): Principal => ({
  kind: 'user',
  id: `u-${teamIds.join()}`,
  name: 'x',
  scopes: ['read'],
  role: 'handler',
  teamIds,
});

async function until<T>(check: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('timed out');
}

it('starts at the latest offset and tells each viewer only about their teams’ complaints', async () => {
  const bus = new InProcessMessageBus({ logger });
  const received = (id: string) =>
    encodeEvent(ComplaintReceivedEvent, { ...ComplaintReceivedEvent.example, complaintId: id, sourceId: id });
  await bus.publish([received('cmp_aaaaaaaaaaaaaaaaaaaa')]); // before the feed started: not replayed

  const feed = new LiveFeed(bus, ds, logger);
  await feed.onApplicationBootstrap();
  expect(feed.groupId).toMatch(/^klaxon-console-[0-9a-f]{12}$/);
  const got: Record<string, LiveEvent[]> = { logistics: [], billing: [], machine: [] };
  feed.add({ principal: user(['logistics']), send: (e) => got.logistics.push(e) });
  feed.add({ principal: user(['billing']), send: (e) => got.billing.push(e) });
  const remove = feed.add({
    principal: { kind: 'api-key', id: 'k', name: 'k', scopes: ['read'] },
    send: (e) => got.machine.push(e),
  });

  await bus.publish([
    encodeEvent(ComplaintAssignedEvent, {
      ...ComplaintAssignedEvent.example,
      complaintId: 'cmp_aaaaaaaaaaaaaaaaaaaa',
      teamId: 'logistics',
    }),
    received('cmp_bbbbbbbbbbbbbbbbbbbb'), // no team in the event: the complaint's team from the database
  ]);
  await until(() =>
    got.logistics.length === 2 && got.billing.length === 2 && got.machine.length === 2 ? true : undefined,
  );

  // Two topics: their order between each other is not fixed.
  const ids = (events: LiveEvent[]) =>
    events
      .map((e) => [e.type, e.complaintId ?? null])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  expect(ids(got.logistics)).toEqual([
    ['complaint-assigned', 'cmp_aaaaaaaaaaaaaaaaaaaa'],
    ['complaint-received', null],
  ]);
  expect(ids(got.billing)).toEqual([
    ['complaint-assigned', null],
    ['complaint-received', 'cmp_bbbbbbbbbbbbbbbbbbbb'],
  ]);
  expect(ids(got.machine)).toEqual([
    ['complaint-assigned', 'cmp_aaaaaaaaaaaaaaaaaaaa'],
    ['complaint-received', 'cmp_bbbbbbbbbbbbbbbbbbbb'],
  ]);
  // What a viewer may not see carries nothing but the kind of change.
  expect(Object.keys(got.billing.find((e) => e.type === 'complaint-assigned')!).sort()).toEqual([
    'occurredAt',
    'type',
  ]);

  remove();
  expect(feed.size).toBe(2);
  await feed.onApplicationShutdown();
  await bus.close();
});
