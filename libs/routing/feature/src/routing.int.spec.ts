import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { Pool } from 'pg';
import {
  CaseEventEvent,
  ComplaintAssignedEvent,
  ComplaintClassifiedEvent,
  ComplaintEscalatedEvent,
  complaintIdFor,
  deadLetterTopic,
  encodeEvent,
  type CaseEvent,
  type Channel,
  type ComplaintClassified,
  type CustomerIdentity,
  type Priority,
} from '@klaxon/contracts';
import { loadRuntimeConfig } from '@klaxon/platform/config';
import type { ConsumedEvent } from '@klaxon/platform/messaging';
import { connectInfrastructure, startApp, type Clock, type RunningApp } from '@klaxon/platform/runtime';
import { DEMO_ORGANISATION, alwaysOn, weekly } from '@klaxon/routing/domain';
import {
  startKafkaMockCluster,
  startPostgresCluster,
  type KafkaMockCluster,
  type PostgresCluster,
  MOCK_CLUSTER_CONSUMER_TUNING,
} from '@klaxon/testing';
import { AssignOwnersService, RoutingModule } from './index';
import { OrganisationSeeder } from './organisation.seeder';

// Two routers (two RoutingModule apps, each with its own connections) against one PostgreSQL and one
// topic on the Kafka mock cluster; a movable clock shared by both.
jest.setTimeout(120_000);

const KEY = 'admin-key-0123456789abcdef-0123456789';
const TUESDAY_10 = Date.parse('2026-11-24T09:00:00Z'); // 10:00 in Amsterdam
const clock: Clock & { t: number } = { t: TUESDAY_10, now: () => new Date(clock.t) };

let pg: PostgresCluster;
let kafka: KafkaMockCluster;
let db: Pool;
let producer: Producer;
let observer: Consumer;
/** What the routers published (through their outboxes) to Kafka, per topic. */
type Published = {
  eventId: string;
  data: {
    [k: string]: unknown;
    trigger?: string;
    level?: string;
    teamId?: string;
    ownerId?: string;
    action?: string;
  };
};
const seen = new Map<string, Array<{ key: string; v: Published }>>();
/** `topic/partition` → the next offset the observer has not seen yet. */
const observed = new Map<string, number>();
let routers: RunningApp[] = [];
let url: string;
let seq = 0;

async function startRouter(name: string, databaseUrl: string): Promise<RunningApp> {
  const config = loadRuntimeConfig({
    DATABASE_URL: databaseUrl,
    ...kafka.appEnv,
    LOG_LEVEL: 'silent',
    API_KEYS: `test:${KEY}:*`,
  });
  const infrastructure = await connectInfrastructure({ service: name, config });
  return startApp({
    service: name,
    infrastructure,
    features: [
      RoutingModule.forRoot({
        organisation: DEMO_ORGANISATION,
        queueScanIntervalMs: 250,
        queueBatchSize: 100,
      }),
    ],
    http: { port: 0, host: '127.0.0.1' },
    clock,
    apiKeys: config.apiKeys,
  });
}

const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${KEY}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
};

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Complaint {
  channel?: Channel;
  /** The classifier's category; `communication` when the test routes by unit. */
  category?: string;
  /** The unit where it landed: the test teams beside the demo company are routed by unit. */
  unit?: string;
  priority?: Priority;
  customer?: CustomerIdentity;
  label?: 'explicit' | 'latent' | 'none';
  receivedAt?: string;
  reputationalRisk?: boolean;
  reach?: number;
  text?: string;
}

/** Stores the complaint as intake and the classifier would, and returns its ComplaintClassified. */
async function classified(c: Complaint): Promise<ComplaintClassified> {
  const channel = c.channel ?? 'web';
  const id = complaintIdFor(channel, `routing-test-${++seq}-${Date.now()}`);
  const receivedAt = c.receivedAt ?? new Date(clock.t - 60_000).toISOString();
  const data: ComplaintClassified = {
    complaintId: id,
    channel,
    receivedAt,
    classifiedAt: new Date(clock.t).toISOString(),
    language: 'nl',
    complaint: c.label ?? 'explicit',
    complaintProbability: 0.9,
    category: c.category ?? 'communication',
    categoryProbability: 0.9,
    priority: c.priority ?? 'normal',
    priorityReasons: [],
    sentiment: -0.5,
    why: ['test'],
    reputationalRisk: c.reputationalRisk ?? false,
    modelVersion: 'test-1',
    customer: c.customer ?? {},
    ...(c.reach !== undefined ? { reach: c.reach } : {}),
    ...(c.unit ? { unit: c.unit } : {}),
  };
  await db.query(
    `INSERT INTO complaints (id, channel, source_id, status, received_at, text, customer, language, complaint_label, complaint_probability, category,
                             category_probability, priority, priority_reasons, why, sentiment, reputational_risk, model_version, classified_at, correlation_id)
     VALUES ($1, $2, $1, 'classified', $3, $4, $5, 'nl', $6, 0.9, $7, 0.9, $8, '[]', '["test"]', -0.5, $9, 'test-1', $10, $1)`,
    [
      id,
      channel,
      receivedAt,
      c.text ?? `complaint about ${data.category}`,
      JSON.stringify(data.customer),
      data.complaint,
      data.category,
      data.priority,
      data.reputationalRisk,
      data.classifiedAt,
    ],
  );
  return data;
}

async function publish(
  contract: typeof ComplaintClassifiedEvent | typeof CaseEventEvent,
  items: Array<ComplaintClassified | CaseEvent>,
): Promise<void> {
  const encoded = items.map((d) =>
    encodeEvent(contract as typeof ComplaintClassifiedEvent, d as ComplaintClassified, {
      eventId: `test-${++seq}`,
      correlationId: `corr-${seq}`,
    }),
  );
  await producer.send({
    topic: contract.topic,
    messages: encoded.map((e) => ({ key: e.key, value: e.value, headers: e.headers })),
  });
}

const route = async (...cs: Complaint[]) => {
  const events = await Promise.all(cs.map(classified));
  await publish(ComplaintClassifiedEvent, events);
  return events.map((e) => e.complaintId);
};

const complaint = async (id: string) =>
  (await db.query('SELECT * FROM complaints WHERE id = $1', [id])).rows[0];
const history = async (id: string, kind?: string) =>
  (
    await db.query(
      `SELECT kind, actor, reason, data FROM complaint_history WHERE complaint_id = $1 ${kind ? 'AND kind = $2' : ''} ORDER BY at, id`,
      kind ? [id, kind] : [id],
    )
  ).rows;
/** The events on a topic for one complaint, once at least `atLeast` arrived (and a moment for any extra to show up). */
const published = async (topic: string, id: string, atLeast = 1) => {
  const of = () => (seen.get(topic) ?? []).filter((m) => m.key === id).map((m) => m.v);
  if (atLeast > 0) await waitFor(`${atLeast} ${topic} events for ${id}`, async () => of().length >= atLeast);
  await new Promise((r) => setTimeout(r, 300));
  return of();
};
/**
 * Everything the routers committed is published (their outboxes are empty) and the observer has read
 * `topic` up to its end: no event of it can still arrive — a condition, not a pause.
 */
const caughtUp = async (topic: string) => {
  const admin = new Kafka({
    clientId: 'routing-caught-up',
    brokers: kafka.brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await waitFor(`${topic} read to its end`, async () => {
      const { rows } = await db.query('SELECT count(*)::int AS n FROM outbox');
      if (rows[0].n > 0) return false;
      const ends = await admin.fetchTopicOffsets(topic);
      return ends.every((p) => (observed.get(`${topic}/${p.partition}`) ?? 0) >= Number(p.high));
    });
  } finally {
    await admin.disconnect();
  }
};
const settled = (id: string) =>
  waitFor(
    `${id} routed`,
    async () =>
      (await history(id)).some((h) => ['assigned', 'queued', 'not-routed'].includes(h.kind)) && complaint(id),
  );

function member(id: string, teamId: string, o: Record<string, unknown> = {}) {
  return {
    id,
    teamId,
    name: id,
    role: 'handler',
    skills: { languages: ['nl', 'en'], categories: [], channels: [] },
    authority: { maxCompensation: 50 },
    capacity: 50,
    workingHours: alwaysOn(),
    ...o,
  };
}

beforeAll(async () => {
  [pg, kafka] = await Promise.all([startPostgresCluster(), startKafkaMockCluster({ brokers: 3 })]);
  const databaseUrl = await pg.createDatabase('routing');
  db = new Pool({ connectionString: databaseUrl, max: 4 });
  db.on('error', () => undefined); // an idle connection closed under us is replaced by the pool, not a test failure
  producer = new Kafka({
    clientId: 'routing-test',
    brokers: kafka.brokers,
    logLevel: logLevel.NOTHING,
  }).producer();
  await producer.connect();
  observer = new Kafka({
    clientId: 'routing-observer',
    brokers: kafka.brokers,
    logLevel: logLevel.NOTHING,
  }).consumer({ groupId: 'routing-observer', ...MOCK_CLUSTER_CONSUMER_TUNING });
  await observer.connect();
  await observer.subscribe({
    topics: [
      ComplaintAssignedEvent.topic,
      ComplaintEscalatedEvent.topic,
      CaseEventEvent.topic,
      deadLetterTopic(ComplaintClassifiedEvent.topic),
    ],
    fromBeginning: true,
  });
  await observer.run({
    eachMessage: async ({ topic, partition, message }) => {
      observed.set(`${topic}/${partition}`, Number(message.offset) + 1);
      const list = seen.get(topic) ?? [];
      list.push({ key: message.key?.toString() ?? '', v: JSON.parse(message.value?.toString() ?? '{}') });
      seen.set(topic, list);
    },
  });
  routers = await Promise.all([startRouter('router-a', databaseUrl), startRouter('router-b', databaseUrl)]);
  url = routers[0].url;

  // Test teams beside the demo company, all through the authenticated API.
  for (const team of ['conc', 'shift', 'absence', 'authority'])
    expect(
      (await api('POST', '/api/teams', { id: team, name: `Team ${team}`, leadId: 'm-lead' })).status,
    ).toBe(201);
  const members = [
    ...['c1', 'c2', 'c3', 'c4', 'c5'].map((id) => member(id, 'conc', { capacity: 100 })),
    member('day', 'shift', {
      capacity: 2,
      workingHours: weekly(['mon', 'tue', 'wed', 'thu', 'fri'], '09:00-17:00', 'Europe/Amsterdam'),
    }),
    member('abs-a', 'absence'),
    member('abs-b', 'absence', { capacity: 0 }), // a replacement takes over even when not taking new work
    member('abs-c', 'absence', { capacity: 0 }),
    member('auth-handler', 'authority', { authority: { maxCompensation: 50 } }),
    member('auth-senior', 'authority', {
      role: 'senior',
      authority: { maxCompensation: 1000 },
      workingHours: weekly(['sat'], '09:00-10:00'),
    }),
  ];
  for (const m of members) {
    const res = await api('POST', '/api/members', m);
    expect([res.status, res.json?.error]).toEqual([201, undefined]);
  }
  // The test teams serve units of their own (the categories are the taxonomy's, and the demo rules route those).
  const rules = await api('PUT', '/api/routing-rules', {
    defaultTeamId: 'customer-service',
    note: 'test teams',
    rules: [
      { id: 'conc', match: { units: ['conc'] }, teamId: 'conc' },
      { id: 'shift', match: { units: ['shift'] }, teamId: 'shift' },
      { id: 'absence', match: { units: ['absence'] }, teamId: 'absence' },
      { id: 'authority', match: { units: ['authority'] }, teamId: 'authority', requiredAuthority: 300 },
      ...DEMO_ORGANISATION.rules,
    ],
  });
  expect([rules.status, rules.json.version]).toEqual([200, 2]);
});

afterAll(async () => {
  await Promise.all(routers.map((r) => r.stop()));
  await producer?.disconnect();
  await observer?.disconnect();
  await db?.end();
  await Promise.all([kafka?.stop(), pg?.stop()]);
});

afterEach(() => {
  clock.t = TUESDAY_10;
});

it('keeps exactly one owner per complaint with two routers on one topic and one database', async () => {
  const ids = await route(...Array.from({ length: 40 }, () => ({ unit: 'conc' })));
  await Promise.all(ids.map(settled));

  // Both routers handle the same complaints at the same moment (a redelivery racing a rebalance).
  const extra = await Promise.all(Array.from({ length: 20 }, () => classified({ unit: 'conc' })));
  const batch = (tag: string): ConsumedEvent<ComplaintClassified>[] =>
    extra.map((d) => ({
      envelope: {
        eventId: `${d.complaintId}:${tag}`,
        type: 'complaint-classified',
        version: 1,
        occurredAt: d.classifiedAt,
        correlationId: d.complaintId,
        data: d,
      },
      message: {} as never,
    }));
  await Promise.all([
    routers[0].app.get(AssignOwnersService).handle(batch('a')),
    routers[1].app.get(AssignOwnersService).handle(batch('b')),
  ]);

  const all = [...ids, ...extra.map((e) => e.complaintId)];
  const { rows } = await db.query(
    `SELECT c.id, c.owner_id, (SELECT count(*)::int FROM complaint_history h WHERE h.complaint_id = c.id AND h.kind = 'assigned') AS assignments
       FROM complaints c WHERE c.id = ANY($1)`,
    [all],
  );
  expect(rows).toHaveLength(60);
  expect(rows.filter((r) => !r.owner_id || r.assignments !== 1)).toEqual([]);
  await waitFor('an assigned event per complaint', async () =>
    all.every((id) => seen.get(ComplaintAssignedEvent.topic)?.some((m) => m.key === id)),
  );
  await caughtUp(ComplaintAssignedEvent.topic);
  const events = (seen.get(ComplaintAssignedEvent.topic) ?? []).filter((m) => all.includes(m.key));
  expect(events).toHaveLength(60);
  expect(new Set(events.map((e) => e.key)).size).toBe(60);
  for (const e of events) expect(e.v.data.ownerId).toBe(rows.find((r) => r.id === e.key).owner_id);
  const load = await db.query(
    `SELECT sum(open_count)::int AS n, min(open_count)::int AS lo, max(open_count)::int AS hi FROM team_members WHERE team_id = 'conc'`,
  );
  expect(load.rows[0]).toEqual({ n: 60, lo: 12, hi: 12 }); // least loaded first: spread evenly
  const reason = (await complaint(ids[0])).assignment_reason;
  expect(reason).toMatchObject({ rule: 'conc@v2', chosenBecause: expect.stringMatching(/least loaded/) });
  expect(reason.candidates).toHaveLength(5);
});

it('queues complaints while the only agent is off shift, serves them by priority then age when she comes on, and at once when she frees up', async () => {
  clock.t = Date.parse('2026-11-24T19:00:00Z'); // Tuesday 20:00 in Amsterdam
  const [oldNormal, high, critical] = await route(
    { unit: 'shift', priority: 'normal', receivedAt: '2026-11-24T18:00:00Z' },
    { unit: 'shift', priority: 'high', receivedAt: '2026-11-24T18:50:00Z' },
    { unit: 'shift', priority: 'critical', receivedAt: '2026-11-24T18:55:00Z' },
  );
  for (const id of [oldNormal, high, critical]) {
    const c = await settled(id);
    expect([c.status, c.owner_id, c.team_id]).toEqual(['queued', null, 'shift']);
    expect((await history(id, 'queued'))[0].reason).toMatch(/off shift/);
  }
  await new Promise((r) => setTimeout(r, 600)); // queue passes run and change nothing at night
  expect((await complaint(critical)).owner_id).toBeNull();

  clock.t = Date.parse('2026-11-25T08:01:00Z'); // Wednesday 09:01: the scheduler offers the queue
  await waitFor(
    'critical and high assigned',
    async () => (await complaint(critical)).owner_id && (await complaint(high)).owner_id,
  );
  expect((await complaint(critical)).owner_id).toBe('day');
  expect((await complaint(oldNormal)).status).toBe('queued'); // capacity 2: the normal one still waits
  expect((await history(critical, 'assigned'))[0].data).toMatchObject({
    rule: 'queue',
    chosenBecause: expect.stringMatching(/from the shift queue/),
  });

  await publish(CaseEventEvent, [
    {
      caseEventId: `ce-${seq}`,
      complaintId: critical,
      action: 'resolved',
      actor: { type: 'user', id: 'day' },
      at: new Date(clock.t).toISOString(),
    },
  ]);
  await waitFor(
    'normal assigned after a resolve',
    async () => (await complaint(oldNormal)).owner_id === 'day',
  );
  expect((await db.query(`SELECT open_count FROM team_members WHERE id = 'day'`)).rows[0].open_count).toBe(2);
});

it('escalates a repeat complainant who used e-mail, phone and X, links one customer with evidence, and recounts when a link is undone', async () => {
  const day = 86_400_000;
  const [first, second, third] = await route(
    {
      category: 'delivery',
      channel: 'web',
      customer: { name: 'Anna', email: 'Anna.Jansen@Example.NL' },
      receivedAt: new Date(TUESDAY_10 - 40 * day).toISOString(),
    },
    {
      category: 'delivery',
      channel: 'phone',
      customer: { email: 'anna.jansen@example.nl', phone: '06 1234 5678' },
      receivedAt: new Date(TUESDAY_10 - 20 * day).toISOString(),
    },
    {
      category: 'delivery',
      channel: 'social',
      customer: { handle: '@AnnaJ', phone: '+31612345678' },
      receivedAt: new Date(TUESDAY_10 - 60_000).toISOString(),
    },
  );
  await Promise.all([first, second, third].map(settled));
  const customerId = (await complaint(third)).customer_id;
  expect(customerId).toMatch(/^cus_/);
  expect(new Set([(await complaint(first)).customer_id, (await complaint(second)).customer_id])).toEqual(
    new Set([customerId]),
  );
  const escalated = await history(third, 'escalated');
  expect(escalated.map((h) => h.data)).toEqual([
    expect.objectContaining({ trigger: 'repeat-complainant', level: 'team-lead', escalatedTo: 'm-lead' }),
  ]);
  expect(await history(second, 'escalated')).toEqual([]);
  expect((await published(ComplaintEscalatedEvent.topic, third)).map((e) => e.data.trigger)).toEqual([
    'repeat-complainant',
  ]);

  const view = await api('GET', `/api/customers/${customerId}`);
  expect(view.status).toBe(200);
  expect(view.json.identities.map((i: { kind: string; value: string }) => `${i.kind}:${i.value}`)).toEqual([
    'email:anna.jansen@example.nl',
    'handle:annaj',
    'phone:+31612345678',
  ]);
  expect(view.json.complaints.map((c: { id: string }) => c.id)).toEqual([first, second, third]);
  const phoneLink = view.json.links.find(
    (l: { complaintId: string; kind: string }) => l.complaintId === second && l.kind === 'phone',
  );

  // The phone number on the second complaint was someone else's: the X complaint is no longer hers.
  const undone = await api('DELETE', `/api/customers/${customerId}/links/${phoneLink.id}`);
  expect(undone.status).toBe(200);
  expect(undone.json.splitInto).toHaveLength(1);
  expect(undone.json.customer.complaints.map((c: { id: string }) => c.id)).toEqual([first, second]);
  expect(undone.json.recount.find((r: { complaintId: string }) => r.complaintId === third)).toEqual({
    complaintId: third,
    customerId: undone.json.splitInto[0],
    complaintsInWindow: 1,
    escalationWithdrawn: true,
  });
  expect((await history(third, 'escalation-withdrawn'))[0].reason).toMatch(/repeat-complainant/);
  expect((await api('DELETE', `/api/customers/${customerId}/links/${phoneLink.id}`)).json.error.code).toBe(
    'link-already-undone',
  );
  expect((await api('GET', '/api/customers/cus_nope')).status).toBe(404);
});

it('sends a reputational risk to the team lead and the executive at once; social goes to webcare', async () => {
  const [id] = await route({
    category: 'product',
    channel: 'social',
    reputationalRisk: true,
    reach: 250_000,
    customer: { handle: 'bigaccount' },
  });
  const c = await settled(id);
  expect(c.team_id).toBe('webcare');
  expect(
    (await history(id, 'escalated')).map((h) => [h.data.trigger, h.data.level, h.data.escalatedTo]),
  ).toEqual([
    ['reputational-risk', 'team-lead', 'm-lead'],
    ['reputational-risk', 'executive', 'm-exec'],
  ]);
  expect((await published(ComplaintEscalatedEvent.topic, id, 2)).map((e) => e.data.level).sort()).toEqual([
    'executive',
    'team-lead',
  ]);
});

it('escalates on authority when nobody available may decide, and reassigns when a handler asks for more authority', async () => {
  const [id] = await route({ unit: 'authority', priority: 'high' });
  const c = await settled(id);
  expect(c.owner_id).toBe('auth-handler'); // the senior is off shift: the handler takes it, the lead hears of it
  expect((await history(id, 'escalated')).map((h) => h.data.trigger)).toEqual(['authority']);

  const [other] = await route({ unit: 'conc' });
  await settled(other);
  const owner = (await complaint(other)).owner_id;
  await api('PATCH', '/api/members/c5', { authority: { maxCompensation: 2000 } });
  const res = await api('POST', `/api/complaints/${other}/reassign`, {
    reason: 'needs-authority',
    requiredAuthority: 1500,
    note: 'customer wants a new sofa',
  });
  expect(res.status).toBe(200);
  expect(res.json.assigned[0]).toMatchObject({
    ownerId: 'c5',
    reason: { rule: 'reassigned:needs-authority' },
  });
  expect((await history(other, 'reassigned'))[0].reason).toMatch(
    new RegExp(`needs-authority \\(customer wants a new sofa — test\\): from ${owner} to c5`),
  );
});

it('gives an absent owner’s complaints to the replacement, and a handed-back one to someone else in the team', async () => {
  const ids = await route({ unit: 'absence' }, { unit: 'absence' });
  await Promise.all(ids.map(settled));
  expect((await Promise.all(ids.map(complaint))).map((c) => c.owner_id)).toEqual(['abs-a', 'abs-a']); // abs-b and abs-c take nothing new yet
  const absence = await api('POST', '/api/members/abs-a/absences', {
    from: new Date(clock.t - 1000).toISOString(),
    until: new Date(clock.t + 7 * 86_400_000).toISOString(),
    replacementId: 'abs-b',
    reason: 'holiday',
  });
  expect(absence.status).toBe(201);
  expect(absence.json.reassigned.assigned.map((a: { ownerId: string }) => a.ownerId)).toEqual([
    'abs-b',
    'abs-b',
  ]);
  expect((await history(ids[0], 'reassigned'))[0].reason).toMatch(/owner-absent: from abs-a to abs-b/);
  expect(
    (
      await db.query(`SELECT id, open_count FROM team_members WHERE team_id = 'absence' ORDER BY id`)
    ).rows.map((r) => r.open_count),
  ).toEqual([0, 2, 0]);

  // abs-b hands one back (the case action has already released it, as the cases service does); abs-c has room now.
  expect((await api('PATCH', '/api/members/abs-c', { capacity: 1 })).status).toBe(200);
  await db.query(
    `UPDATE complaints SET owner_id = NULL, owner_name = NULL, assigned_at = NULL, status = 'queued' WHERE id = $1`,
    [ids[0]],
  );
  await publish(CaseEventEvent, [
    {
      caseEventId: `ce-${seq}`,
      complaintId: ids[0],
      action: 'handed-back',
      actor: { type: 'user', id: 'abs-b' },
      at: new Date(clock.t).toISOString(),
      message: 'not my expertise',
    },
  ]);
  await waitFor('handed back to abs-c', async () => (await complaint(ids[0])).owner_id === 'abs-c');
  expect((await history(ids[0], 'reassigned')).map((h) => h.data.cause)).toEqual([
    'owner-absent',
    'handed-back',
  ]);
  expect(
    (
      await db.query(`SELECT id, open_count FROM team_members WHERE team_id = 'absence' ORDER BY id`)
    ).rows.map((r) => r.open_count),
  ).toEqual([0, 1, 1]);

  // abs-c is switched off: the complaint goes back through the team (abs-b is the only one left, at capacity): it waits.
  expect((await api('PATCH', '/api/members/abs-c', { active: false })).json.active).toBe(false);
  expect(await complaint(ids[0])).toMatchObject({ owner_id: null, status: 'queued', team_id: 'absence' });
  expect((await history(ids[0], 'reassigned')).at(-1).reason).toMatch(
    /owner-absent \(member deactivated\): taken from abs-c/,
  );
});

it('keeps a "none" as a searchable signal without owner, promotes one (routed, training example) and dismisses another', async () => {
  const [keep, drop] = await route(
    { category: 'product', label: 'none', text: 'Wat een mooie nieuwe blender hebben jullie' },
    { category: 'product', label: 'none', text: 'Leuke reclame gisteren' },
  );
  for (const id of [keep, drop])
    expect(await settled(id)).toMatchObject({ status: 'signal', owner_id: null });
  expect(await published(ComplaintAssignedEvent.topic, keep, 0)).toEqual([]);
  const found = await api('GET', '/api/signals?q=blender');
  expect(found.json).toMatchObject({ total: 1, items: [{ id: keep }] });

  const promoted = await api('POST', `/api/signals/${keep}/promote`, {
    label: 'latent',
    category: 'product',
  });
  expect(promoted.status).toBe(200);
  expect(promoted.json).toMatchObject({ status: 'assigned', assigned: [{ teamId: 'product' }] });
  expect(
    (await published(CaseEventEvent.topic, keep)).map((e) => [e.data.action, e.data.correction]),
  ).toEqual([['corrected', { complaint: 'latent', category: 'product' }]]);
  expect((await published(ComplaintAssignedEvent.topic, keep)).map((e) => e.data.teamId)).toEqual([
    'product',
  ]);
  expect((await history(keep)).map((h) => h.kind)).toEqual(
    expect.arrayContaining(['not-routed', 'promoted', 'assigned']),
  );
  expect((await api('POST', `/api/signals/${keep}/promote`, {})).json.error.code).toBe('not-a-signal');
  // A promotion names a category of the taxonomy, or none (the classifier's stays).
  expect((await api('POST', `/api/signals/${drop}/promote`, { category: 'billing' })).json).toMatchObject({
    error: { code: 'invalid-field', field: 'category' },
  });
  expect((await complaint(drop)).status).toBe('signal');

  expect(
    (await api('POST', `/api/signals/${drop}/dismiss`, { reason: 'advertising feedback' })).json.dismissedAt,
  ).toBeTruthy();
  expect((await api('GET', '/api/signals?q=reclame')).json.total).toBe(0);
  expect((await api('GET', '/api/signals?q=reclame&dismissed=true')).json.total).toBe(1);
});

it('opens a root-cause review at three complaints of a category and flags a spike', async () => {
  const ids = await route(...Array.from({ length: 6 }, () => ({ category: 'staff' })));
  await Promise.all(ids.map(settled));
  // Counted by the routers' scheduler pass, apart from the routing transaction.
  expect((await api('GET', '/api/root-cause-items?category=billing')).json.error).toMatchObject({
    code: 'invalid-field',
    field: 'category',
  });
  const items = await waitFor('review and spike', async () => {
    const res = await api('GET', '/api/root-cause-items?category=staff');
    return res.json.items.length >= 2 && res;
  });
  expect(items.json.items.map((i: { kind: string }) => i.kind).sort()).toEqual(['review', 'spike']);
  const review = items.json.items.find((i: { kind: string }) => i.kind === 'review');
  expect(review.complaintCount).toBeGreaterThanOrEqual(3);
  expect(review.complaintIds).toEqual(expect.arrayContaining([ids[0], ids[1], ids[2]]));
});

it('routes every category of the taxonomy to the team whose purpose it is, not the default team', async () => {
  const purpose = {
    'price-billing': 'billing',
    delivery: 'logistics',
    product: 'product',
    communication: 'customer-service',
    staff: 'customer-service',
  };
  const categories = Object.keys(purpose) as Array<keyof typeof purpose>;
  const ids = await route(...categories.map((category) => ({ category })));
  const routed = await Promise.all(ids.map(settled));
  expect(routed.map((c) => [c.category, c.team_id])).toEqual(categories.map((c) => [c, purpose[c]]));
  for (const c of routed) expect(c.assignment_reason.rule).not.toMatch(/^default-team/);
});

it('refuses a routing rule or a member skill with a category outside the taxonomy, naming the field', async () => {
  const before = (await api('GET', '/api/routing-rules')).json.version;
  const res = await api('PUT', '/api/routing-rules', {
    defaultTeamId: 'customer-service',
    rules: [{ id: 'billing', match: { categories: ['price-billing', 'billing'] }, teamId: 'billing' }],
  });
  expect(res.status).toBe(400);
  expect(res.json.error).toMatchObject({
    code: 'invalid-field',
    field: 'rules.0.match.categories.1',
    message: expect.stringContaining('price-billing'),
  });
  expect((await api('GET', '/api/routing-rules')).json.version).toBe(before);

  const skilled = await api(
    'POST',
    '/api/members',
    member('m-skilled', 'billing', { skills: { languages: [], categories: ['price'], channels: [] } }),
  );
  expect([skilled.status, skilled.json.error]).toEqual([
    400,
    expect.objectContaining({ code: 'invalid-field', field: 'skills.categories.0' }),
  ]);
});

it('refuses at start an organisation whose rules or members name a category outside the taxonomy', () => {
  expect(() => RoutingModule.forRoot({ organisation: DEMO_ORGANISATION })).not.toThrow();
  const org = structuredClone(DEMO_ORGANISATION);
  // The rules the demo shipped with before the taxonomy: `billing` and `price` are no category.
  (org.rules[2].match as { categories: string[] }).categories = ['billing', 'price'];
  (org.members[0].skills as { categories: string[] }).categories = ['staff', 'complaints'];
  expect(() => RoutingModule.forRoot({ organisation: org })).toThrow(
    /rules\[2\]\.match\.categories\[0\]: unknown category "billing".*rules\[2\]\.match\.categories\[1\]: unknown category "price".*members\[0\] \(m-lead\)\.skills\.categories\[1\]: unknown category "complaints"/,
  );
});

it('refuses bad organisation input with the one error shape, and requires a key', async () => {
  expect(
    (
      await api('PUT', '/api/routing-rules', {
        defaultTeamId: 'customer-service',
        rules: [{ id: 'x', match: {}, teamId: 'ghosts' }],
      })
    ).json.error,
  ).toMatchObject({ code: 'invalid-rules', message: expect.stringMatching(/unknown team "ghosts"/) });
  expect(
    (
      await api(
        'POST',
        '/api/members',
        member('bad', 'conc', { workingHours: { timeZone: 'Mars/Base', days: {} } }),
      )
    ).json.error,
  ).toMatchObject({ code: 'invalid-field', field: 'workingHours.timeZone' });
  expect(
    (
      await api('POST', '/api/members/c1/absences', {
        from: '2026-11-25T00:00:00Z',
        until: '2026-11-24T00:00:00Z',
      })
    ).json.error.field,
  ).toBe('until');
  expect((await fetch(`${url}/api/teams`)).status).toBe(401);
  expect(
    (await api('GET', '/api/routing-rules/versions')).json.items.map((v: { version: number }) => v.version),
  ).toEqual([2, 1]);
  const doc = await api('GET', '/api/docs/openapi.json');
  expect(doc.json.paths['/api/routing-rules'].put.summary).toBe('Save the routing rules as a new version');
  expect(doc.json.paths['/api/signals/{id}/promote'].post.security).toBeDefined();
});

it('dead-letters a classified event for a complaint that was never stored, and routes the ones beside it', async () => {
  const stored = await classified({ unit: 'conc' });
  const ghost: ComplaintClassified = { ...stored, complaintId: complaintIdFor('web', `ghost-${Date.now()}`) };
  await publish(ComplaintClassifiedEvent, [ghost, stored]);
  expect((await settled(stored.complaintId)).owner_id).toBeTruthy();
  const [dead] = await waitFor('dead letter', async () => {
    const found = (seen.get(deadLetterTopic(ComplaintClassifiedEvent.topic)) ?? []).filter(
      (m) => m.key === ghost.complaintId,
    );
    return found.length > 0 && found;
  });
  expect(dead.v).toMatchObject({
    error: { code: 'complaint-unknown', message: expect.stringContaining(ghost.complaintId) },
  });
});

it('names the stored rules in force that no complaint can match, saved before the API checked categories', async () => {
  const seeder = routers[0].app.get(OrganisationSeeder);
  expect(await seeder.problemsOfRulesInForce()).toEqual([]);
  const [current] = (await db.query('SELECT * FROM routing_rule_sets ORDER BY version DESC LIMIT 1')).rows;
  const stale = [
    { id: 'old-billing', match: { categories: ['billing'] }, teamId: 'billing' },
    ...current.rules,
  ];
  await db.query(
    `INSERT INTO routing_rule_sets (version, rules, default_team_id, created_by) VALUES ($1, $2, $3, 'test')`,
    [current.version + 1, JSON.stringify(stale), current.default_team_id],
  );
  try {
    expect(await seeder.problemsOfRulesInForce()).toEqual([
      expect.stringMatching(/^rules\[0\]\.match\.categories\[0\]: unknown category "billing"/),
    ]);
  } finally {
    await db.query(
      `INSERT INTO routing_rule_sets (version, rules, default_team_id, created_by) VALUES ($1, $2, $3, 'test')`,
      [current.version + 2, JSON.stringify(current.rules), current.default_team_id],
    );
  }
});
