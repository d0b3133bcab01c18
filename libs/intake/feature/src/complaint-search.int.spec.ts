import { Client } from 'pg';
import { loadRuntimeConfig } from '@klaxon/platform/config';
import { connectInfrastructure, startApp, type RunningApp } from '@klaxon/platform/runtime';
import { startPostgresCluster, type PostgresCluster } from '@klaxon/testing';
import { referenceFor } from '@klaxon/intake/domain';
import { IntakeModule } from './intake.module';

// Search and filters of GET /api/complaints, on a real PostgreSQL (its Dutch and English text search).
jest.setTimeout(60_000);

const KEY = 'search-test-read-key-0123456789abcdefghij';
let pg: PostgresCluster;
let db: Client;
let app: RunningApp;

interface Seed {
  id: string;
  language: 'nl' | 'en';
  text: string;
  subject?: string;
  customer?: Record<string, string>;
  priority?: 'critical' | 'high' | 'normal';
  receivedAt: string;
  clock?: { status: string; deadline: string; warnAt: string; atRisk?: boolean };
}

const SEEDS: Seed[] = [
  {
    id: 'cmp_aaaa0001bbbbccccdddd',
    language: 'nl',
    text: 'Mijn pakketten zijn al twee weken niet bezorgd en niemand neemt de telefoon op.',
    customer: { name: 'Noor de Wit', email: 'noor@example.nl' },
    priority: 'normal',
    receivedAt: '2026-11-20T09:00:00+01:00',
    clock: { status: 'running', deadline: '2026-12-30T09:00:00+01:00', warnAt: '2026-12-29T09:00:00+01:00' },
  },
  {
    id: 'cmp_aaaa0002bbbbccccdddd',
    language: 'en',
    text: 'You charged me twice for the same invoice. Refund it or I go to my lawyer.',
    customer: { name: 'John Baker', email: 'john.baker@example.com' },
    priority: 'critical',
    receivedAt: '2026-11-22T09:00:00+01:00',
    clock: { status: 'breached', deadline: '2026-11-23T09:00:00+01:00', warnAt: '2026-11-23T08:00:00+01:00' },
  },
  {
    id: 'cmp_ffff0003bbbbccccdddd',
    language: 'nl',
    subject: 'Factuur klopt niet',
    text: 'De factuur van november is te hoog.',
    customer: { name: 'Jan Smit', phone: '+31612345678' },
    priority: 'high',
    receivedAt: '2026-11-24T09:00:00+01:00',
    clock: {
      status: 'running',
      deadline: '2026-12-10T09:00:00+01:00',
      warnAt: '2026-12-01T09:00:00+01:00',
      atRisk: true,
    },
  },
];

beforeAll(async () => {
  pg = await startPostgresCluster();
  const databaseUrl = await pg.createDatabase('search');
  const config = loadRuntimeConfig({
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'silent',
    API_KEYS: `reader:${KEY}:read`,
  });
  const infrastructure = await connectInfrastructure({
    service: 'search-test',
    config,
    embedded: { dataDir: undefined },
  });
  app = await startApp({
    service: 'intake',
    infrastructure,
    features: [IntakeModule],
    http: { port: 0, host: '127.0.0.1' },
    apiKeys: config.apiKeys,
  });
  db = new Client({ connectionString: databaseUrl });
  await db.connect();
  for (const s of SEEDS) {
    await db.query(
      `INSERT INTO complaints (id, channel, source_id, status, received_at, subject, text, customer, language, priority, classified_at)
       VALUES ($1, 'web', $1, 'assigned', $2, $3, $4, $5, $6, $7, $2)`,
      [s.id, s.receivedAt, s.subject ?? null, s.text, s.customer ?? {}, s.language, s.priority ?? 'normal'],
    );
    if (s.clock)
      await db.query(
        `INSERT INTO sla_clocks (complaint_id, clock, started_at, deadline, warn_at, status, at_risk)
         VALUES ($1, 'resolution', $2, $3, $4, $5, $6)`,
        [s.id, s.receivedAt, s.clock.deadline, s.clock.warnAt, s.clock.status, s.clock.atRisk ?? false],
      );
  }
});

afterAll(async () => {
  await db?.end();
  await app?.stop();
  await pg?.stop();
});

async function search(query: Record<string, string>) {
  const res = await fetch(`${app.url}/api/complaints?${new URLSearchParams(query).toString()}`, {
    headers: { authorization: `Bearer ${KEY}` },
  });
  const json = (await res.json()) as {
    items?: Array<{ id: string }>;
    total?: number;
    error?: { code: string };
  };
  return { status: res.status, ids: (json.items ?? []).map((i) => i.id), total: json.total, json };
}

it('finds a Dutch complaint by a word in another form (stemmed), and an English one by its words', async () => {
  expect((await search({ q: 'pakket' })).ids).toEqual(['cmp_aaaa0001bbbbccccdddd']);
  expect((await search({ q: 'bezorgd telefoon' })).ids).toEqual(['cmp_aaaa0001bbbbccccdddd']);
  expect((await search({ q: 'charge lawyer' })).ids).toEqual(['cmp_aaaa0002bbbbccccdddd']);
  // The subject and the customer's name count too; a word nobody wrote finds nothing (total 0).
  expect((await search({ q: 'factuur' })).ids).toEqual(['cmp_ffff0003bbbbccccdddd']);
  expect((await search({ q: 'Baker' })).ids).toEqual(['cmp_aaaa0002bbbbccccdddd']);
  expect(await search({ q: 'koffiezetapparaat' })).toMatchObject({ ids: [], total: 0 });
});

it('finds a complaint by its KLX reference (or its start), its e-mail address and its phone number', async () => {
  const reference = referenceFor('cmp_ffff0003bbbbccccdddd');
  expect((await search({ q: reference })).ids).toEqual(['cmp_ffff0003bbbbccccdddd']);
  expect((await search({ q: reference.toLowerCase() })).ids).toEqual(['cmp_ffff0003bbbbccccdddd']);
  expect((await search({ q: 'KLX-AAAA' })).ids.sort()).toEqual([
    'cmp_aaaa0001bbbbccccdddd',
    'cmp_aaaa0002bbbbccccdddd',
  ]);
  expect((await search({ q: 'john.baker@' })).ids).toEqual(['cmp_aaaa0002bbbbccccdddd']);
  expect((await search({ q: '06 1234' })).ids).toEqual(['cmp_ffff0003bbbbccccdddd']);
  expect((await search({ q: '+31 6 12345678' })).ids).toEqual(['cmp_ffff0003bbbbccccdddd']);
  // LIKE's wildcards are literal in an address.
  expect((await search({ q: '%@' })).ids).toEqual([]);
});

it('filters by priority, breached, at risk and the date range, and sorts by risk', async () => {
  expect((await search({ priority: 'critical' })).ids).toEqual(['cmp_aaaa0002bbbbccccdddd']);
  expect((await search({ breached: 'true' })).ids).toEqual(['cmp_aaaa0002bbbbccccdddd']);
  expect((await search({ atRisk: 'true' })).ids).toEqual(['cmp_ffff0003bbbbccccdddd']);
  expect(
    (await search({ receivedFrom: '2026-11-21T00:00:00+01:00', receivedTo: '2026-11-24T00:00:00+01:00' }))
      .ids,
  ).toEqual(['cmp_aaaa0002bbbbccccdddd']);
  expect((await search({ sort: 'risk' })).ids).toEqual([
    'cmp_aaaa0002bbbbccccdddd', // critical
    'cmp_ffff0003bbbbccccdddd', // high
    'cmp_aaaa0001bbbbccccdddd',
  ]);
  expect((await search({ sort: 'oldest', pageSize: '2' })).json).toMatchObject({
    total: 3,
    items: [{ id: 'cmp_aaaa0001bbbbccccdddd' }, { id: 'cmp_aaaa0002bbbbccccdddd' }],
  });
});

it('says which complaints were escalated, in the list and the complaint itself', async () => {
  await db.query(
    `INSERT INTO complaint_history (complaint_id, at, kind, actor, reason, event_id) VALUES ($1, now(), 'escalated', 'router', 'legal threat', 'e-esc-1')`,
    ['cmp_aaaa0002bbbbccccdddd'],
  );
  const page = (await search({ sort: 'risk' })).json as unknown as {
    items: Array<{ id: string; escalated: boolean }>;
  };
  expect(page.items.map((i) => [i.id, i.escalated])).toEqual([
    ['cmp_aaaa0002bbbbccccdddd', true],
    ['cmp_ffff0003bbbbccccdddd', false],
    ['cmp_aaaa0001bbbbccccdddd', false],
  ]);
  expect((await search({ escalated: 'true' })).ids).toEqual(['cmp_aaaa0002bbbbccccdddd']);
  const one = await fetch(`${app.url}/api/complaints/cmp_aaaa0002bbbbccccdddd`, {
    headers: { authorization: `Bearer ${KEY}` },
  });
  expect(await one.json()).toMatchObject({ escalated: true });
});

it('refuses a bad filter with 400 and the field', async () => {
  expect((await search({ priority: 'urgent' })).json).toMatchObject({
    error: { code: 'invalid-field', field: 'priority' },
  });
  expect((await search({ receivedFrom: 'yesterday' })).status).toBe(400);
  expect((await search({ q: 'x'.repeat(201) })).status).toBe(400);
});
