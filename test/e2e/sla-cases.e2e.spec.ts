import { Client } from 'pg';
import { ComplaintAssignedEvent, encodeEvent } from '@klaxon/contracts';
import { CasesModule } from '@klaxon/cases/feature';
import { loadRuntimeConfig } from '@klaxon/platform/config';
import { connectInfrastructure, startApp, type Clock, type RunningApp } from '@klaxon/platform/runtime';
import { SlaModule } from '@klaxon/sla/feature';
import {
  startKafkaMockCluster,
  startPostgresCluster,
  type KafkaMockCluster,
  type PostgresCluster,
} from '@klaxon/testing';

// Cases API + sla stage in one app over real HTTP, real PostgreSQL and Kafka (mock cluster, 3 brokers):
// handler actions go through the outbox and Kafka to the sla consumers, which move the clocks. Time
// is a test clock.
jest.setTimeout(120_000);

const KEYS = {
  handler: 'handler-key-0123456789-0123456789abcdef',
  reader: 'reader-key-0123456789-0123456789abcdef',
};
const ID = 'cmp_casesapi0000000000000001';
let pg: PostgresCluster;
let kafka: KafkaMockCluster;
let db: Client;
let app: RunningApp;
let now = new Date('2026-11-27T15:00:00+01:00');
const clock: Clock = { now: () => new Date(now) };

beforeAll(async () => {
  [pg, kafka] = await Promise.all([startPostgresCluster(), startKafkaMockCluster({ brokers: 3 })]);
  const databaseUrl = await pg.createDatabase('cases');
  const config = loadRuntimeConfig({
    DATABASE_URL: databaseUrl,
    ...kafka.appEnv,
    LOG_LEVEL: 'silent',
    API_KEYS: `handler:${KEYS.handler}:act+read,reports:${KEYS.reader}:read`,
  });
  const infrastructure = await connectInfrastructure({ service: 'cases-test', config });
  app = await startApp({
    service: 'cases',
    infrastructure,
    clock,
    features: [CasesModule, SlaModule.forRoot({ scheduler: false })],
    http: { port: 0, host: '127.0.0.1' },
    apiKeys: config.apiKeys,
  });
  db = new Client({ connectionString: databaseUrl });
  await db.connect();
  await db.query(`INSERT INTO teams (id, name, lead_id) VALUES ('logistics', 'Logistics', 'lead-1')`);
  await db.query(
    `INSERT INTO complaints (id, channel, source_id, status, received_at, subject, text, customer, language, priority, category, team_id, owner_id, owner_name, assigned_at, complaint_label)
     VALUES ($1, 'email', 'm-1', 'assigned', '2026-11-27T15:00:00+01:00', 'Pakket kwijt', 'waar is mijn pakket', '{"name":"Jan","email":"jan@example.nl"}', 'nl', 'normal', 'delivery',
             'logistics', 'm-1', 'Sanne', '2026-11-27T15:00:01+01:00', 'explicit')`,
    [ID],
  );
  const assigned = {
    ...ComplaintAssignedEvent.example,
    complaintId: ID,
    channel: 'email' as const,
    receivedAt: '2026-11-27T15:00:00+01:00',
    assignedAt: '2026-11-27T15:00:01+01:00',
  };
  await infrastructure.bus.publish([encodeEvent(ComplaintAssignedEvent, assigned)]);
  await until(async () => (await clockRow('first-response')) !== undefined);
});

afterAll(async () => {
  await db?.end();
  await app?.stop();
  await Promise.all([pg?.stop(), kafka?.stop()]);
});

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function clockRow(
  clock: string,
): Promise<{ status: string; deadline: Date | null; policy: string } | undefined> {
  return (
    await db.query(`SELECT status, deadline, policy FROM sla_clocks WHERE complaint_id = $1 AND clock = $2`, [
      ID,
      clock,
    ])
  ).rows[0];
}

async function act(body: unknown, key = KEYS.handler) {
  const res = await fetch(`${app.url}/api/complaints/${ID}/actions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function get(path: string, key = KEYS.reader) {
  const res = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, json: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('case actions', () => {
  it('are refused without the act scope and with a clear 400 for a bad body', async () => {
    expect((await act({ action: 'acknowledge' }, KEYS.reader)).status).toBe(403);
    const bad = await act({ action: 'resolve', founded: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.field).toBe('founded');
  });

  it('acknowledge once; a second time is a 409 invalid-transition', async () => {
    now = new Date('2026-11-27T15:20:00+01:00');
    const ok = await act({ action: 'acknowledge' });
    expect(ok).toMatchObject({
      status: 200,
      json: { status: 'acknowledged', events: [{ action: 'acknowledged' }] },
    });
    const again = await act({ action: 'acknowledge' });
    expect(again).toMatchObject({ status: 409, json: { error: { code: 'invalid-transition' } } });
    await until(async () => (await clockRow('acknowledgement'))?.status === 'met');
  });

  it('waiting on the customer pauses first response; the reply resumes it', async () => {
    now = new Date('2026-11-27T16:00:00+01:00');
    expect((await act({ action: 'wait-on-customer', message: 'order number please' })).json.status).toBe(
      'waiting-on-customer',
    );
    await until(async () => (await clockRow('first-response'))?.status === 'paused');
    now = new Date('2026-12-01T09:00:00+01:00');
    expect((await act({ action: 'customer-replied', message: '12345' })).json.status).toBe('in-progress');
    // 1 h used on Friday; 23 h from Tuesday 09:00 → Thursday 16:00.
    await until(
      async () => (await clockRow('first-response'))?.deadline?.toISOString() === '2026-12-03T15:00:00.000Z',
    );
  });

  it('a priority correction recomputes the clocks', async () => {
    expect(
      (await act({ action: 'correct', priority: 'high', reason: 'customer is a hospital' })).status,
    ).toBe(200);
    // high: 24 wall hours from receipt, plus the paused time (Fri 16:00 → Tue 09:00 = 89 h).
    await until(async () => (await clockRow('first-response'))?.policy === 'high');
    expect((await clockRow('first-response'))!.deadline!.toISOString()).toBe('2026-12-02T07:00:00.000Z');
    expect((await act({ action: 'correct', priority: 'high' })).json.error.code).toBe('nothing-to-change');
    // A correction names a category of the taxonomy (`billing` is none: the classifier says price-billing).
    const billing = await act({ action: 'correct', category: 'billing' });
    expect([billing.status, billing.json.error]).toEqual([
      400,
      expect.objectContaining({ code: 'invalid-field', field: 'category' }),
    ]);
  });

  it('reply goes back by email and meets first response; resolve once; a "still open" CSAT reopens', async () => {
    now = new Date('2026-12-01T10:00:00+01:00');
    expect(
      (await act({ action: 'reply', message: 'Uw pakket wordt morgen opnieuw bezorgd.' })).json,
    ).toMatchObject({ status: 'in-progress', delivery: 'email' });
    await until(async () => (await clockRow('first-response'))?.status === 'met');
    const msg = (
      await db.query(
        `SELECT recipient, status, body FROM customer_messages WHERE complaint_id = $1 AND kind = 'reply'`,
        [ID],
      )
    ).rows[0];
    expect(msg).toMatchObject({ recipient: 'jan@example.nl', status: 'pending' });
    now = new Date('2026-12-02T11:00:00+01:00');
    expect((await act({ action: 'resolve', founded: true, resolution: 'opnieuw bezorgd' })).json.status).toBe(
      'resolved',
    );
    expect((await act({ action: 'resolve', founded: true, resolution: 'x' })).status).toBe(409);
    await until(
      async () =>
        (
          await db.query(
            `SELECT 1 FROM customer_messages WHERE complaint_id = $1 AND kind = 'csat-request'`,
            [ID],
          )
        ).rowCount === 1,
    );
    now = new Date('2026-12-03T12:00:00+01:00');
    const csat = await act({ action: 'csat', score: 2, comment: 'nog steeds niets', stillOpen: true });
    expect(csat.json).toMatchObject({
      status: 'in-progress',
      events: [{ action: 'csat-received' }, { action: 'reopened' }],
    });
    await until(
      async () =>
        (await clockRow('csat-follow-up')) !== undefined &&
        (await clockRow('resolution'))?.status === 'running',
    );
    const history = (
      await db.query(
        `SELECT kind, actor FROM complaint_history WHERE complaint_id = $1 AND kind LIKE 'case-%' ORDER BY id`,
        [ID],
      )
    ).rows;
    expect(history.map((h) => h.kind)).toEqual([
      'case-acknowledged',
      'case-waiting-on-customer',
      'case-customer-replied',
      'case-corrected',
      'case-responded',
      'case-resolved',
      'case-csat-received',
      'case-reopened',
    ]);
    expect(history.every((h) => h.actor === 'handler')).toBe(true);
  });
});

describe('sla preview and KPIs', () => {
  it('previews the policy and deadlines with the Amsterdam offset, across Kerstmis', async () => {
    const res = await get(
      `/api/sla/preview?priority=normal&channel=email&category=delivery&receivedAt=${encodeURIComponent('2026-12-24T10:00:00+01:00')}`,
    );
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      policy: { id: 'normal' },
      timeZone: 'Europe/Amsterdam',
      deadlines: {
        acknowledgement: '2026-12-24T11:00:00.000+01:00',
        owner: '2026-12-24T12:00:00.000+01:00',
        firstResponse: '2026-12-30T10:00:00.000+01:00',
      },
    });
    expect((await get('/api/sla/preview?priority=urgent&channel=email&category=x')).status).toBe(400);
    // Only the taxonomy's categories: `billing` was what the old demo rules said, and no complaint carries it.
    const billing = await get('/api/sla/preview?priority=normal&channel=email&category=billing');
    expect([billing.status, billing.json.error]).toEqual([
      400,
      expect.objectContaining({ code: 'invalid-field', field: 'category' }),
    ]);
    expect((await get('/api/sla/preview?priority=normal&channel=email&category=price-billing')).status).toBe(
      200,
    );
  });

  it('reports time to acknowledgement and first response, share within SLA, CSAT and backlog', async () => {
    const res = await get(
      `/api/kpis?from=${encodeURIComponent('2026-11-01T00:00:00Z')}&to=${encodeURIComponent('2026-12-31T00:00:00Z')}&groupBy=channel`,
    );
    expect(res.status).toBe(200);
    const [email] = res.json.groups;
    expect(email).toMatchObject({
      key: 'email',
      complaints: 1,
      backlog: 1,
      csat: { average: 2, responses: 1, followUps: 1 },
    });
    expect(email.timeToAcknowledgement).toMatchObject({ averageMinutes: 20, met: 1, withinSla: 1 });
    expect(email.timeToFirstResponse.met).toBe(1);
    expect((await get('/api/kpis?groupBy=planet')).status).toBe(400);
    expect((await get('/api/kpis?category=billing')).json.error).toMatchObject({ field: 'category' });
  });
});
