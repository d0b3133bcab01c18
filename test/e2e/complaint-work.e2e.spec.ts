import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { SMTPServer } from 'smtp-server';
import {
  ComplaintClassifiedEvent,
  FollowUpAssignedEvent,
  SlaAlertEvent,
  complaintIdFor,
  encodeEvent,
  type Channel,
  type ComplaintClassified,
  type CustomerIdentity,
  type FollowUpAssigned,
  type SlaAlert,
} from '@klaxon/contracts';
import { CasesModule } from '@klaxon/cases/feature';
import { IntakeModule } from '@klaxon/intake/feature';
import { loadRuntimeConfig } from '@klaxon/platform/config';
import {
  connectInfrastructure,
  startApp,
  type Clock,
  type Infrastructure,
  type RunningApp,
} from '@klaxon/platform/runtime';
import { QueueScheduler, RoutingModule } from '@klaxon/routing/feature';
import { CustomerMessagesService, FireDueAlertsService, SlaModule } from '@klaxon/sla/feature';
import {
  readEvents,
  startKafkaMockCluster,
  startPostgresCluster,
  type EventReader,
  type KafkaMockCluster,
  type PostgresCluster,
} from '@klaxon/testing';
import { waitFor } from '../support/wait-for';

// Complaint-management work across the stages that do it — cases (the actions), router (who does the
// follow-up, the root-cause reviews and spikes), sla (the follow-up clock, the customer notices) — in
// one app on real PostgreSQL and Kafka (mock cluster), with SMTP, and a clock the test moves.
jest.setTimeout(180_000);

const KEY = 'work-admin-key-0123456789-0123456789abcdef';
const PASSWORD = 'a long enough secret';
let now = new Date('2026-12-03T09:00:00+01:00'); // Thursday
const clock: Clock = { now: () => new Date(now) };
const at = (iso: string) => (now = new Date(iso));

let pg: PostgresCluster;
let kafka: KafkaMockCluster;
let db: Pool;
let infra: Infrastructure;
let app: RunningApp;
let smtp: { port: number; mails: Array<{ to: string[]; raw: string }>; stop(): Promise<void> };
let alerts: EventReader<SlaAlert>;
let followUpEvents: EventReader<FollowUpAssigned>;
const sessions: Record<string, { cookie: string; csrf: string }> = {};
let seq = 0;

async function startSmtp(): Promise<typeof smtp> {
  const mails: Array<{ to: string[]; raw: string }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** As the API key (every scope), or as a signed-in person (cookie and CSRF token). */
async function call<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
  as?: string,
): Promise<{ status: number; json: T }> {
  const session = as ? sessions[as] : undefined;
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: {
      ...(session
        ? { cookie: session.cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': session.csrf }) }
        : { authorization: `Bearer ${KEY}` }),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
}

async function signIn(name: string, role: string, memberId: string): Promise<void> {
  const email = `${name}@work.test`;
  const created = await call('POST', '/api/users', { email, name, role, password: PASSWORD, memberId });
  expect(created.status).toBe(201);
  const res = await fetch(`${app.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  sessions[name] = { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

/** Stores a complaint as intake and the classifier would, and puts its ComplaintClassified on the bus. */
async function classified(c: {
  category: string;
  channel?: Channel;
  customer?: CustomerIdentity;
  receivedAt?: string;
}): Promise<string> {
  const channel = c.channel ?? 'web';
  const id = complaintIdFor(channel, `work-${++seq}-${Date.now()}`);
  const data: ComplaintClassified = {
    complaintId: id,
    channel,
    receivedAt: c.receivedAt ?? new Date(now.getTime() - 60_000).toISOString(),
    classifiedAt: now.toISOString(),
    language: 'nl',
    complaint: 'explicit',
    complaintProbability: 0.9,
    category: c.category,
    categoryProbability: 0.9,
    priority: 'normal',
    priorityReasons: [],
    sentiment: -0.5,
    why: ['test'],
    reputationalRisk: false,
    modelVersion: 'test-1',
    customer: c.customer ?? { name: 'Jan', email: `jan-${seq}@example.nl` },
  };
  await db.query(
    `INSERT INTO complaints (id, channel, source_id, status, received_at, subject, text, customer, language, complaint_label, complaint_probability, category,
                             category_probability, priority, priority_reasons, why, sentiment, reputational_risk, model_version, classified_at, correlation_id)
     VALUES ($1, $2, $1, 'classified', $3, 'Klacht', 'Een klacht over ' || $5, $4, 'nl', 'explicit', 0.9, $5, 0.9, 'normal', '[]', '["test"]', -0.5, false, 'test-1', $6, $1)`,
    [id, channel, data.receivedAt, JSON.stringify(data.customer), c.category, data.classifiedAt],
  );
  await infra.bus.publish([encodeEvent(ComplaintClassifiedEvent, data)]);
  return id;
}

const complaint = async (id: string) =>
  (await db.query('SELECT * FROM complaints WHERE id = $1', [id])).rows[0];
const assigned = (id: string) =>
  waitFor(`${id} assigned`, async () => ((await complaint(id))?.owner_id ? complaint(id) : undefined));
const followUpClock = async (id: string) =>
  (await db.query(`SELECT * FROM sla_clocks WHERE complaint_id = $1 AND clock = 'csat-follow-up'`, [id]))
    .rows[0];
const act = (id: string, body: unknown, as?: string) =>
  call<{ status: string; error?: { code: string } }>('POST', `/api/complaints/${id}/actions`, body, as);
const fireDue = () => app.app.get(FireDueAlertsService).fireDue();
const pass = () => app.app.get(QueueScheduler).runOnce();

beforeAll(async () => {
  [pg, kafka, smtp] = await Promise.all([
    startPostgresCluster(),
    startKafkaMockCluster({ brokers: 1 }),
    startSmtp(),
  ]);
  const databaseUrl = await pg.createDatabase('work');
  const config = loadRuntimeConfig({
    DATABASE_URL: databaseUrl,
    ...kafka.appEnv,
    LOG_LEVEL: 'silent',
    API_KEYS: `work:${KEY}:*`,
  });
  infra = await connectInfrastructure({ service: 'work-test', config });
  app = await startApp({
    service: 'work',
    infrastructure: infra,
    clock,
    features: [
      IntakeModule,
      CasesModule,
      // The scheduler passes are the test's to run (`pass`, `fireDue`), at the times it sets.
      RoutingModule.forRoot({ queueScanIntervalMs: 0 }),
      SlaModule.forRoot({
        scheduler: false,
        smtp: { host: '127.0.0.1', port: smtp.port, from: 'Klantenservice <ks@example.com>' },
      }),
    ],
    http: { port: 0, host: '127.0.0.1' },
    apiKeys: config.apiKeys,
  });
  db = new Pool({ connectionString: databaseUrl, max: 3 });
  db.on('error', () => undefined);
  [alerts, followUpEvents] = await Promise.all([
    readEvents(kafka.brokers, SlaAlertEvent, 'work-test-alerts'),
    readEvents(kafka.brokers, FollowUpAssignedEvent, 'work-test-follow-ups'),
  ]);
  await signIn('senior', 'senior', 'm-service-senior');
  await signIn('handler', 'handler', 'm-service-1');
  await signIn('lead', 'team-lead', 'm-lead');
});

afterAll(async () => {
  await Promise.all([alerts?.stop(), followUpEvents?.stop()]);
  await db?.end();
  await app?.stop();
  await Promise.all([pg?.stop(), kafka?.stop(), smtp?.stop()]);
});

describe('a low CSAT: a follow-up by a senior, on its own clock', () => {
  let late: string;
  let onTime: string;

  it('routes the follow-up to a senior of the team, whose clock counts two working days', async () => {
    at('2026-12-03T09:00:00+01:00');
    late = await classified({ category: 'staff', customer: { name: 'Eva', email: 'eva@example.nl' } });
    const c = await assigned(late);
    expect(c.team_id).toBe('customer-service');
    at('2026-12-03T09:30:00+01:00');
    expect((await act(late, { action: 'resolve', founded: true, resolution: 'excuses' })).status).toBe(200);
    at('2026-12-03T10:00:00+01:00');
    expect((await act(late, { action: 'csat', score: 2, comment: 'niemand belde terug' })).status).toBe(200);

    // The router names the senior (on the bus), the sla runs the follow-up clock under them.
    const event = await waitFor('FollowUpAssigned', async () =>
      followUpEvents.events.find((e) => e.data.complaintId === late),
    );
    expect(event.data).toMatchObject({ ownerId: 'm-service-senior', ownerRole: 'senior', csatScore: 2 });
    const k = await waitFor('the follow-up clock under the senior', async () => {
      const row = await followUpClock(late);
      return row?.owner_id === 'm-service-senior' && row;
    });
    // Thursday 10:00 + 16 working hours: Thu 7, Fri 8, Monday 1 → Monday 10:00.
    expect(new Date(k.deadline).toISOString()).toBe('2026-12-07T09:00:00.000Z');
    expect(k.status).toBe('running');
    // The complaint keeps its owner; the senior finds it in their list, the thread says why.
    expect((await complaint(late)).owner_id).toBe(c.owner_id);
    const mine = await call<{ items: Array<{ id: string; followUps: Array<{ status: string }> }> }>(
      'GET',
      '/api/complaints?followUpOwnerId=m-service-senior',
    );
    expect(mine.json.items.map((i) => i.id)).toEqual([late]);
    expect(mine.json.items[0].followUps).toMatchObject([{ status: 'open' }]);
    const history = (
      await db.query(
        `SELECT reason FROM complaint_history WHERE complaint_id = $1 AND kind = 'follow-up-opened'`,
        [late],
      )
    ).rows;
    expect(history[0].reason).toMatch(/CSAT 2.*Luuk de Graaf \(senior\)/);
  });

  it('warns, breaches and climbs the ladder under the senior’s name when nobody follows up', async () => {
    at('2026-12-04T13:59:59+01:00');
    await fireDue();
    at('2026-12-04T14:00:00+01:00'); // 75 % of 16 working hours
    await fireDue();
    at('2026-12-07T10:00:00+01:00');
    await fireDue();
    at('2026-12-07T11:00:00+01:00'); // the owner did not report within the hour: the team lead
    await fireDue();
    const mine = await waitFor('warning, breach and escalation on the bus', async () => {
      const list = alerts.events.filter(
        (e) => e.data.complaintId === late && e.data.clock === 'csat-follow-up',
      );
      return list.length >= 3 && list;
    });
    expect(mine.map((e) => e.data.kind)).toEqual(['warning', 'breach', 'escalation']);
    expect(mine.every((e) => e.data.ownerId === 'm-service-senior')).toBe(true);
    const [escalation] = (
      await db.query(
        `SELECT data FROM complaint_history WHERE complaint_id = $1 AND kind = 'sla-escalation'`,
        [late],
      )
    ).rows;
    expect(escalation.data).toMatchObject({ clock: 'csat-follow-up', level: 'team-lead', notify: 'm-lead' });
    expect((await followUpClock(late)).status).toBe('breached');
  });

  it('is the senior’s to complete (not another handler’s), late: the breach stays a breach', async () => {
    at('2026-12-07T11:30:00+01:00');
    const refused = await act(late, { action: 'follow-up', outcome: 'contacted' }, 'handler');
    expect([refused.status, refused.json.error?.code]).toEqual([403, 'forbidden']);
    const done = await act(
      late,
      { action: 'follow-up', outcome: 'remedy-offered', note: 'Bon van €25 aangeboden, klant tevreden.' },
      'senior',
    );
    expect([done.status, done.json.status]).toEqual([200, 'closed']);
    await waitFor('the router recorded the outcome', async () => {
      const [f] = (await db.query(`SELECT * FROM follow_ups WHERE complaint_id = $1`, [late])).rows;
      return f.status === 'completed' && f.outcome === 'remedy-offered';
    });
    const k = await waitFor('the clock met (late)', async () => {
      const row = await followUpClock(late);
      return row?.met_at ? row : undefined;
    });
    expect(k.status).toBe('breached');
    // Once: a second outcome finds no open follow-up.
    expect((await act(late, { action: 'follow-up', outcome: 'contacted' }, 'senior')).json.error?.code).toBe(
      'no-open-follow-up',
    );
  });

  it('opens one when the customer says "still open" too, which reopens it for its owner; done within its clock', async () => {
    at('2026-12-07T12:00:00+01:00');
    onTime = await classified({ category: 'staff', customer: { name: 'Bo', email: 'bo@example.nl' } });
    const c = await assigned(onTime);
    expect((await act(onTime, { action: 'resolve', founded: false, resolution: 'uitgelegd' })).status).toBe(
      200,
    );
    at('2026-12-07T13:00:00+01:00');
    const csat = await act(onTime, { action: 'csat', score: 4, stillOpen: true });
    expect(csat.json.status).toBe('in-progress');
    await waitFor('the follow-up clock under the senior', async () => {
      const row = await followUpClock(onTime);
      return row?.owner_id === 'm-service-senior';
    });
    expect((await complaint(onTime)).owner_id).toBe(c.owner_id);
    at('2026-12-07T15:00:00+01:00');
    // Already open again: the senior records the contact, a reopen makes no sense.
    expect((await act(onTime, { action: 'follow-up', outcome: 'reopened' }, 'senior')).status).toBe(409);
    expect((await act(onTime, { action: 'follow-up', outcome: 'contacted' }, 'senior')).status).toBe(200);
    const k = await waitFor('the clock met', async () => {
      const row = await followUpClock(onTime);
      return row.status === 'met' && row;
    });
    expect(new Date(k.met_at).toISOString()).toBe('2026-12-07T14:00:00.000Z');
  });

  it('counts the follow-ups per team, with their outcomes and clock', async () => {
    await waitFor('both follow-ups completed', async () => {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM follow_ups WHERE status = 'completed'`);
      return rows[0].n === 2;
    });
    const kpis = await call<{ groups: Array<{ key: string; followUps: unknown; founded: unknown }> }>(
      'GET',
      `/api/kpis?groupBy=team&from=${encodeURIComponent('2026-12-01T00:00:00Z')}&to=${encodeURIComponent('2026-12-31T00:00:00Z')}`,
    );
    const team = kpis.json.groups.find((g) => g.key === 'customer-service')!;
    expect(team.followUps).toEqual({
      opened: 2,
      open: 0,
      completed: 2,
      outcomes: { contacted: 1, remedyOffered: 1, reopened: 0 },
      withinTime: 0.5,
      breached: 1,
    });
    expect(team.founded).toEqual({ founded: 1, decided: 2, share: 0.5 });
  });
});

describe('a root-cause review, from trigger to recorded cause', () => {
  let review: { id: string };
  const products: string[] = [];

  it('opens at three complaints of a category, owned by the lead of its team, due in five of their working days', async () => {
    at('2026-12-08T10:00:00+01:00'); // Tuesday
    for (let i = 0; i < 3; i++) products.push(await classified({ category: 'product' }));
    await Promise.all(products.map(assigned));
    await pass();
    const list = await call<{ items: Array<Record<string, unknown>> }>(
      'GET',
      '/api/root-cause-items?kind=review&category=product',
    );
    expect(list.json.items).toHaveLength(1);
    review = list.json.items[0] as { id: string };
    expect(list.json.items[0]).toMatchObject({
      status: 'open',
      teamId: 'product',
      owner: { id: 'm-lead', name: 'Lotte Visser' },
      // Wed, Thu, Fri, Mon, Tue: the end of the lead's day (17:30).
      dueAt: '2026-12-15T16:30:00.000Z',
      overdue: false,
      linkedCount: 3,
    });
    const history = (
      await db.query(
        `SELECT reason FROM complaint_history WHERE complaint_id = $1 AND kind = 'root-cause-linked'`,
        [products[0]],
      )
    ).rows;
    expect(history[0].reason).toMatch(/root-cause review .*owner Lotte Visser/);
  });

  it('links a later complaint of the same kind to the open review', async () => {
    at('2026-12-09T11:00:00+01:00');
    const later = await classified({ category: 'product' });
    await assigned(later);
    await pass();
    const detail = await call<{ complaints: Array<{ id: string; how: string; reference: string }> }>(
      'GET',
      `/api/root-cause-items/${review.id}`,
    );
    expect(detail.json.complaints).toHaveLength(4);
    expect(detail.json.complaints.find((c) => c.id === later)).toMatchObject({
      how: 'later',
      reference: expect.stringMatching(/^KLX-/),
    });
    expect((await call('GET', '/api/root-cause-items?kind=review&category=product')).json).toMatchObject({
      total: 1,
    });
  });

  it('becomes overdue past its due date, and the KPIs say so', async () => {
    at('2026-12-15T17:29:59+01:00');
    await pass();
    expect((await call<{ total: number }>('GET', '/api/root-cause-items?overdue=true')).json.total).toBe(0);
    at('2026-12-15T17:30:00+01:00');
    await pass();
    const overdue = await call<{ items: Array<{ id: string; overdue: boolean; overdueAt: string }> }>(
      'GET',
      '/api/root-cause-items?overdue=true',
    );
    expect(overdue.json.items.map((i) => [i.id, i.overdue, i.overdueAt])).toEqual([
      [review.id, true, '2026-12-15T16:30:00.000Z'],
    ]);
    const summary = await call<{ total: Record<string, unknown> }>('GET', '/api/root-cause-items/summary');
    expect(summary.json.total).toMatchObject({ reviewsOpen: 1, reviewsOverdue: 1, reviewsCompleted: 0 });
  });

  it('is worked by the lead of its team: another team cannot read it, a handler cannot conclude it', async () => {
    at('2026-12-16T09:00:00+01:00');
    expect((await call('GET', `/api/root-cause-items/${review.id}`, undefined, 'handler')).status).toBe(403);
    expect(
      (await call<{ total: number }>('GET', '/api/root-cause-items?category=product', undefined, 'handler'))
        .json.total,
    ).toBe(0);
    const conclusion = {
      cause: 'Een leverancier wijzigde de lijm in de behuizing; die laat los bij warmte.',
      measure: 'Partij teruggeroepen, leverancier verplicht tot de oude lijm, steekproef bij ontvangst.',
      founded: true,
    };
    expect(
      (await call('POST', `/api/root-cause-items/${review.id}/conclusion`, conclusion, 'senior')).status,
    ).toBe(403);
    const done = await call<{ status: string; conclusion: unknown }>(
      'POST',
      `/api/root-cause-items/${review.id}/conclusion`,
      conclusion,
      'lead',
    );
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ status: 'completed', conclusion });
    expect(
      (await call('POST', `/api/root-cause-items/${review.id}/conclusion`, conclusion, 'lead')).status,
    ).toBe(409);
    const history = (
      await db.query(
        `SELECT reason FROM complaint_history WHERE complaint_id = ANY($1) AND kind = 'root-cause-concluded'`,
        [products],
      )
    ).rows;
    expect(history).toHaveLength(3);
    expect(history[0].reason).toMatch(/founded.*lijm/);
    at('2026-12-16T09:05:00+01:00');
    const summary = await call<{ total: Record<string, unknown> }>(
      'GET',
      `/api/root-cause-items/summary?from=${encodeURIComponent('2026-12-01T00:00:00Z')}`,
    );
    expect(summary.json.total).toMatchObject({
      reviewsOpen: 0,
      reviewsOverdue: 0,
      reviewsCompleted: 1,
      founded: 1,
      foundedRate: 1,
      reviewsCompletedOnTime: 0,
    });
  });
});

describe('a spike: the customers who complained are informed in one click', () => {
  let spikeId: string;
  const ids: string[] = [];

  it('flags a spike as an incident proposal with its complaints', async () => {
    at('2026-12-16T10:00:00+01:00');
    const customers: Array<{ channel?: Channel; customer: CustomerIdentity }> = [
      { customer: { name: 'Anna', email: 'anna@example.nl' } },
      { customer: { name: 'Anna', email: 'anna@example.nl' } }, // the same customer, twice
      { customer: { name: 'Bram', email: 'bram@example.nl' } },
      { customer: { name: 'Carla', email: 'carla@example.nl' } },
      { channel: 'social', customer: { name: 'Dave', handle: 'davedelivers' } },
      { channel: 'phone', customer: { name: 'Piet', phone: '+31612345678' } },
    ];
    for (const c of customers) ids.push(await classified({ category: 'delivery', ...c }));
    await Promise.all(ids.map(assigned));
    await pass();
    const spikes = await call<{
      items: Array<{ id: string; status: string; linkedCount: number; teamId: string }>;
    }>('GET', '/api/root-cause-items?kind=spike&category=delivery');
    expect(spikes.json.items).toHaveLength(1);
    expect(spikes.json.items[0]).toMatchObject({ status: 'open', linkedCount: 6, teamId: 'logistics' });
    spikeId = spikes.json.items[0].id;
  });

  it('queues one notice per customer through the acknowledgement path, and sends the e-mails', async () => {
    at('2026-12-16T10:05:00+01:00');
    const note = 'Door een storing in het sorteercentrum Utrecht lopen leveringen een dag vertraging op.';
    const first = await call('POST', '/api/customer-notices', { spikeId, note }, 'lead');
    expect(first.status).toBe(201);
    expect(first.json).toEqual({
      spikeId,
      customers: 5,
      queued: { email: 3, webcare: 1, manual: 1 },
      alreadyInformed: 0,
    });
    const sent = smtp.mails.length;
    await app.app.get(CustomerMessagesService).sendDue(500);
    const notices = smtp.mails.slice(sent).filter((m) => m.raw.includes('Wij werken aan het probleem'));
    expect(notices.map((m) => m.to[0]).sort()).toEqual([
      'anna@example.nl',
      'bram@example.nl',
      'carla@example.nl',
    ]);
    expect(notices.every((m) => /sorteercentrum/.test(m.raw) && /KLX-/.test(m.raw))).toBe(true);
    const informed = (
      await db.query(
        `SELECT complaint_id FROM complaint_history WHERE kind = 'customer-informed' AND complaint_id = ANY($1)`,
        [ids],
      )
    ).rows;
    expect(informed).toHaveLength(5);
    // A second click informs nobody twice.
    expect((await call('POST', '/api/customer-notices', { spikeId }, 'lead')).json).toMatchObject({
      queued: { email: 0, webcare: 0, manual: 0 },
      alreadyInformed: 5,
    });
    const detail = await call<{ notices: unknown }>('GET', `/api/root-cause-items/${spikeId}`);
    expect(detail.json.notices).toEqual({ queued: 0, sent: 3, forWebcare: 1, manual: 1, failed: 0 });
  });

  it('is closed by the lead; a closed spike informs no one', async () => {
    expect((await call('POST', '/api/customer-notices', { spikeId }, 'handler')).status).toBe(403);
    const closed = await call<{ status: string }>(
      'POST',
      `/api/root-cause-items/${spikeId}/close`,
      { note: 'storing verholpen' },
      'lead',
    );
    expect([closed.status, closed.json.status]).toEqual([200, 'closed']);
    expect((await call('POST', '/api/customer-notices', { spikeId }, 'lead')).status).toBe(409);
  });
});
