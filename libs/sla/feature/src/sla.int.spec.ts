import type { DataSource } from 'typeorm';
import { startPostgresCluster, type PostgresCluster } from '@klaxon/testing';
import { Registry } from '@klaxon/platform/observability';
import { createDataSource, runMigrations } from '@klaxon/platform/persistence';
import { BusinessCalendar, DEFAULT_CALENDAR, DEFAULT_POLICIES } from '@klaxon/sla/domain';
import {
  MovableClock,
  assigned,
  caseAction,
  classified,
  insertComplaint,
  slaServices,
  startSmtp,
  startWebhookReceiver,
} from './testing/sla-test-kit';
import { SIGNATURE_HEADER, verifyWebhook } from './webhooks.service';

// Real PostgreSQL, a real SMTP server and a real HTTP receiver; time is a clock the test moves.
jest.setTimeout(120_000);

const cal = new BusinessCalendar(DEFAULT_CALENDAR);
let pg: PostgresCluster;
let ds: DataSource;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
const SECRET = 'a-webhook-secret-of-32-characters!';

beforeAll(async () => {
  [pg, smtp, receiver] = await Promise.all([startPostgresCluster(), startSmtp(), startWebhookReceiver(1)]);
  ds = createDataSource({ url: await pg.createDatabase('sla'), poolMax: 4 });
  await ds.initialize();
  await runMigrations(ds);
  await ds.query(`INSERT INTO teams (id, name, lead_id) VALUES ('logistics', 'Logistics', 'lead-1')`);
});

afterAll(async () => {
  await ds?.destroy();
  await Promise.all([pg?.stop(), smtp?.stop(), receiver?.stop()]);
});

type ClockRow = {
  clock: string;
  status: string;
  deadline: Date | null;
  warn_at: Date | null;
  met_at: Date | null;
  breached_at: Date | null;
  policy: string;
};
async function clocks(id: string): Promise<Record<string, ClockRow>> {
  const rows = (await ds.query(
    `SELECT clock, status, deadline, warn_at, met_at, breached_at, policy FROM sla_clocks WHERE complaint_id = $1`,
    [id],
  )) as ClockRow[];
  return Object.fromEntries(rows.map((r) => [r.clock, r]));
}
const local = (d: Date | null) => (d ? cal.format(new Date(d)) : null);
async function alertIds(id: string): Promise<string[]> {
  const rows = (await ds.query(
    `SELECT event_id FROM complaint_history WHERE complaint_id = $1 AND kind LIKE 'sla-%' AND kind <> 'sla-at-risk' ORDER BY id`,
    [id],
  )) as Array<{ event_id: string }>;
  return rows.map((r) => r.event_id.replace(/^[^:]+:/, '').replace(/:[0-9a-z]+:/, ':'));
}

describe('a complaint walked across a weekend, a customer pause and the escalation ladder', () => {
  const id = 'cmp_weekendpause00000000001';
  const clock = new MovableClock(new Date('2026-11-27T15:00:02+01:00'));
  let sla: ReturnType<typeof slaServices>;
  const metrics = new Registry();

  beforeAll(async () => {
    sla = slaServices(
      ds,
      clock,
      {
        smtp: { host: '127.0.0.1', port: smtp.port, from: 'Klantenservice <ks@example.com>' },
        webhooks: [{ id: 'ops', url: receiver.url, secret: SECRET }],
        webhookBackoffMs: 1_000,
      },
      metrics,
    );
    await sla.webhooks.seed();
    await insertComplaint(ds, { id, receivedAt: '2026-11-27T15:00:00+01:00' }); // Friday afternoon
  });

  it('sets the clocks on assignment and acknowledges by email within the hour', async () => {
    const event = assigned({
      complaintId: id,
      receivedAt: '2026-11-27T15:00:00+01:00',
      assignedAt: '2026-11-27T15:00:02+01:00',
    });
    await sla.deadlines.handle([event]);
    await sla.deadlines.handle([event]); // a redelivery changes nothing
    const c = await clocks(id);
    expect(local(c['acknowledgement'].deadline)).toBe('2026-11-27T16:00:00.000+01:00');
    expect(c['owner']).toMatchObject({ status: 'met' });
    expect(local(c['first-response'].deadline)).toBe('2026-12-02T15:00:00.000+01:00');
    expect(local(c['first-response'].warn_at)).toBe('2026-12-01T17:00:00.000+01:00');

    clock.set('2026-11-27T15:00:05+01:00');
    expect(await sla.messages.sendDue()).toBe(1);
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0].to).toEqual(['jan@example.nl']);
    expect(smtp.mails[0].raw).toContain('KLX-WEEK-ENDP');
    expect(smtp.mails[0].raw).toMatch(/Beste Jan de Vries/);
    expect((await clocks(id))['acknowledgement']).toMatchObject({ status: 'met' });
    const [{ n }] = await ds.query(
      `SELECT count(*)::int AS n FROM outbox WHERE topic = 'klaxon.cases.events.v1'`,
    );
    expect(n).toBe(1);
  });

  it('warns at 75 % of the working time, on Tuesday at closing time, once', async () => {
    clock.set('2026-12-01T16:59:59+01:00');
    expect(await sla.alerts.fireDue()).toBe(0);
    clock.set('2026-12-01T17:00:00+01:00');
    expect(await sla.alerts.fireDue()).toBe(1);
    expect(await sla.alerts.fireDue()).toBe(0);
    expect(await alertIds(id)).toEqual(['first-response:warning']);
  });

  it('pauses while waiting on the customer: no breach at the old deadline; resumes on the reply', async () => {
    await caseAction(ds, sla.cases, {
      complaintId: id,
      action: 'waiting-on-customer',
      at: '2026-12-01T17:30:00+01:00',
    });
    expect((await clocks(id))['first-response']).toMatchObject({ status: 'paused', deadline: null });
    clock.set('2026-12-02T16:00:00+01:00'); // past the original deadline
    expect(await sla.alerts.fireDue()).toBe(0);
    // Used before the pause: Fri 2 + Mon 8 + Tue 8 = 18 h; 6 h left from Thursday 09:00.
    await caseAction(ds, sla.cases, {
      complaintId: id,
      action: 'customer-replied',
      at: '2026-12-03T09:00:00+01:00',
    });
    const c = await clocks(id);
    expect(c['first-response'].status).toBe('running');
    expect(local(c['first-response'].deadline)).toBe('2026-12-03T15:00:00.000+01:00');
  });

  it('breaches once, then climbs the ladder: the team lead hears 60 min after the breach', async () => {
    clock.set('2026-12-03T15:00:00+01:00');
    expect(await sla.alerts.fireDue()).toBe(1);
    clock.set('2026-12-03T15:59:59+01:00');
    expect(await sla.alerts.fireDue()).toBe(0);
    clock.set('2026-12-03T16:00:00+01:00');
    expect(await sla.alerts.fireDue()).toBe(1);
    expect(await sla.alerts.fireDue()).toBe(0);
    expect(await alertIds(id)).toEqual([
      'first-response:warning',
      'first-response:breach',
      'first-response:escalation:team-lead',
    ]);
    // Each alert counted once, by clock and kind, for the dashboard's SLA panel.
    const counted = (await metrics.getSingleMetric('klaxon_sla_alerts_total')!.get()).values;
    expect(counted.map((v) => `${v.labels.clock}:${v.labels.kind}=${v.value}`).sort()).toEqual([
      'first-response:breach=1',
      'first-response:escalation=1',
      'first-response:warning=1',
    ]);
  });

  it('sends every alert as a signed webhook, retrying after a failure, and records the deliveries', async () => {
    expect(await sla.webhooks.deliverDue()).toBe(3);
    clock.set('2026-12-03T16:00:01+01:00');
    expect(await sla.webhooks.deliverDue()).toBe(1); // the first attempt got a 503: retried after the 1 s backoff
    const rows = (await ds.query(
      `SELECT status, attempts, last_status_code FROM webhook_deliveries ORDER BY id`,
    )) as Array<{ status: string; attempts: number; last_status_code: number }>;
    expect(rows.map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(rows.map((r) => r.attempts).sort()).toEqual([1, 1, 2]);
    expect(receiver.hooks).toHaveLength(4);
    for (const h of receiver.hooks) {
      expect(verifyWebhook(SECRET, h.body, String(h.headers[SIGNATURE_HEADER]), 10 ** 10)).toBe(true);
      expect(verifyWebhook('wrong-secret', h.body, String(h.headers[SIGNATURE_HEADER]), 10 ** 10)).toBe(
        false,
      );
    }
    const escalation = JSON.parse(receiver.hooks.find((h) => h.body.includes('team-lead'))!.body);
    expect(escalation).toMatchObject({
      type: 'sla-alert',
      data: { kind: 'escalation', level: 'team-lead', notify: 'lead-1', clock: 'first-response' },
    });
  });

  it('stops the ladder when the complaint is resolved, asks for CSAT a day later, and opens a follow-up of two working days on a low score', async () => {
    await caseAction(ds, sla.cases, {
      complaintId: id,
      action: 'resolved',
      at: '2026-12-03T16:30:00+01:00',
      resolution: { founded: true, summary: 'refund' },
    });
    await ds.query(`UPDATE complaints SET status = 'resolved' WHERE id = $1`, [id]);
    const [{ status }] = await ds.query(
      `SELECT status FROM sla_escalations WHERE complaint_id = $1 AND level = 'executive'`,
      [id],
    );
    expect(status).toBe('cancelled');
    clock.set('2026-12-03T21:00:00+01:00');
    expect(await sla.alerts.fireDue()).toBe(0);
    expect(await sla.messages.sendDue()).toBe(0); // the CSAT request waits 24 h
    clock.set('2026-12-04T16:30:00+01:00');
    expect(await sla.messages.sendDue()).toBe(1);
    expect(smtp.mails.at(-1)!.raw).toContain('1 tot 5');
    await caseAction(ds, sla.cases, {
      complaintId: id,
      action: 'csat-received',
      at: '2026-12-05T10:00:00+01:00',
      csat: { score: 2 },
    });
    // Two working days in the business calendar from Saturday: Monday and Tuesday, closing time.
    expect(local((await clocks(id))['csat-follow-up'].deadline)).toBe('2026-12-08T17:00:00.000+01:00');
  });
});

describe('recomputing from the history', () => {
  it('a priority correction before Koningsdag moves the first response from Thursday to within the hour', async () => {
    const clock = new MovableClock(new Date('2026-04-24T16:00:00+02:00'));
    const sla = slaServices(ds, clock);
    const id = 'cmp_koningsdag0000000000001';
    await insertComplaint(ds, {
      id,
      receivedAt: '2026-04-24T16:00:00+02:00',
      channel: 'phone',
      customer: { name: 'Piet' },
    });
    await sla.deadlines.handle([
      assigned({
        complaintId: id,
        channel: 'phone',
        receivedAt: '2026-04-24T16:00:00+02:00',
        assignedAt: '2026-04-24T16:00:01+02:00',
      }),
    ]);
    expect(local((await clocks(id))['first-response'].deadline)).toBe('2026-04-30T16:00:00.000+02:00');
    const [{ status }] = await ds.query(`SELECT status FROM customer_messages WHERE complaint_id = $1`, [id]);
    expect(status).toBe('manual'); // a phone customer without an address: the handler calls back
    await caseAction(ds, sla.cases, {
      complaintId: id,
      action: 'corrected',
      at: '2026-04-24T16:10:00+02:00',
      correction: { priority: 'critical' },
    });
    const c = await clocks(id);
    expect(c['first-response'].policy).toBe('critical');
    expect(local(c['first-response'].deadline)).toBe('2026-04-24T17:00:00.000+02:00');
  });

  it('a normal clock across the autumn DST change breaches at the right instant', async () => {
    const clock = new MovableClock(new Date('2026-10-23T14:00:00+02:00'));
    const sla = slaServices(ds, clock);
    const id = 'cmp_autumndst0000000000001';
    await insertComplaint(ds, {
      id,
      receivedAt: '2026-10-23T14:00:00+02:00',
      channel: 'social',
      customer: { handle: '@jan' },
    });
    await ds.query(`UPDATE complaints SET channel_meta = $2 WHERE id = $1`, [
      id,
      JSON.stringify({ social: { postId: '4242', authorId: 'u-jan', handle: 'jan' } }),
    ]);
    await sla.deadlines.handle([
      assigned({
        complaintId: id,
        channel: 'social',
        receivedAt: '2026-10-23T14:00:00+02:00',
        assignedAt: '2026-10-23T14:00:01+02:00',
      }),
    ]);
    // X without reply credentials: the acknowledgement is kept, not posted, for webcare to post; that counts as the acknowledgement.
    await sla.messages.sendDue();
    const [msg] = await ds.query(
      `SELECT status, recipient, in_reply_to, transport FROM customer_messages WHERE complaint_id = $1`,
      [id],
    );
    expect(msg).toEqual({
      status: 'manual',
      recipient: 'u-jan',
      in_reply_to: '4242',
      transport: 'x-not-posted',
    });
    const c = await clocks(id);
    expect(c['acknowledgement'].status).toBe('met');
    // Fri 3 h, Mon 8, Tue 8, Wed 5 → Wednesday 28 Oct 14:00 CET (13:00 UTC).
    expect(new Date(c['first-response'].deadline!).toISOString()).toBe('2026-10-28T13:00:00.000Z');
    clock.set('2026-10-28T12:59:59Z');
    await sla.alerts.fireDue();
    expect((await clocks(id))['first-response'].status).toBe('running');
    clock.set('2026-10-28T13:00:00Z');
    await sla.alerts.fireDue();
    expect((await clocks(id))['first-response'].status).toBe('breached');
  });

  it('an external risk goes to the executive at the breach', async () => {
    const clock = new MovableClock(new Date('2026-11-30T10:00:00+01:00'));
    const sla = slaServices(ds, clock);
    const id = 'cmp_externalrisk00000000001';
    await insertComplaint(ds, {
      id,
      receivedAt: '2026-11-30T10:00:00+01:00',
      priority: 'critical',
      reputationalRisk: true,
    });
    await sla.deadlines.handle([
      assigned({
        complaintId: id,
        priority: 'critical',
        receivedAt: '2026-11-30T10:00:00+01:00',
        assignedAt: '2026-11-30T10:00:01+01:00',
      }),
    ]);
    await ds.query(
      `UPDATE sla_clocks SET status = 'met', met_at = now() WHERE complaint_id = $1 AND clock = 'acknowledgement'`,
      [id],
    );
    clock.set('2026-11-30T10:45:00+01:00');
    await sla.alerts.fireDue();
    clock.set('2026-11-30T11:00:00+01:00');
    await sla.alerts.fireDue();
    expect(await alertIds(id)).toEqual([
      'first-response:warning',
      'first-response:breach',
      'first-response:escalation:executive',
      'first-response:escalation:team-lead',
    ]);
  });
});

describe('a change of the SLA policies', () => {
  it('recomputes the open clocks from the history at start-up, once', async () => {
    const clock = new MovableClock(new Date('2026-12-07T09:00:00+01:00'));
    const before = slaServices(ds, clock);
    await before.policyChange.recomputeIfChanged(); // first start: records the fingerprint
    const id = 'cmp_policychange0000000001';
    await insertComplaint(ds, { id, receivedAt: '2026-12-07T09:00:00+01:00', channel: 'web' });
    await before.deadlines.handle([
      assigned({
        complaintId: id,
        channel: 'web',
        receivedAt: '2026-12-07T09:00:00+01:00',
        assignedAt: '2026-12-07T09:00:01+01:00',
      }),
    ]);
    await caseAction(ds, before.cases, {
      complaintId: id,
      action: 'waiting-on-customer',
      at: '2026-12-07T11:00:00+01:00',
    });
    await caseAction(ds, before.cases, {
      complaintId: id,
      action: 'customer-replied',
      at: '2026-12-08T11:00:00+01:00',
    });
    // 2 h used before the pause; 22 h from Tuesday 11:00: Tue 6, Wed 8, Thu 8 → Thursday 17:00.
    expect(local((await clocks(id))['first-response'].deadline)).toBe('2026-12-10T17:00:00.000+01:00');
    // New configuration: normal complaints get a first response within 1 working day.
    const normal = DEFAULT_POLICIES[2];
    const after = slaServices(ds, clock, {
      policies: [
        ...DEFAULT_POLICIES.slice(0, 2),
        { ...normal, clocks: { ...normal.clocks, 'first-response': { workingDays: 1, time: 'working' } } },
      ],
    });
    expect(await after.policyChange.recomputeIfChanged()).toBeGreaterThanOrEqual(1);
    // 2 h used before the pause, 6 h left from Tuesday 11:00 → Tuesday 17:00.
    expect(local((await clocks(id))['first-response'].deadline)).toBe('2026-12-08T17:00:00.000+01:00');
    expect(await after.policyChange.recomputeIfChanged()).toBe(0);
  });
});

describe('a complaint stuck in the routing queue', () => {
  it('is acknowledged before it has an owner, and breaches the owner clock after 2 h; the late assignment stops the ladder', async () => {
    const clock = new MovableClock(new Date('2026-11-30T10:00:01+01:00'));
    const sla = slaServices(ds, clock, {
      smtp: { host: '127.0.0.1', port: smtp.port, from: 'ks@example.com' },
    });
    const id = 'cmp_stuckinqueue00000000001';
    await insertComplaint(ds, {
      id,
      receivedAt: '2026-11-30T10:00:00+01:00',
      status: 'queued',
      unassigned: true,
      customer: { name: 'Ann', email: 'ann@example.com' },
      language: 'en',
    });
    await sla.start.handle([classified({ complaintId: id, receivedAt: '2026-11-30T10:00:00+01:00' })]);
    expect((await clocks(id))['owner']).toMatchObject({ status: 'running' });
    const sent = smtp.mails.length;
    await sla.messages.sendDue(); // (also sends what earlier tests left due)
    const toAnn = smtp.mails.slice(sent).filter((m) => m.to.includes('ann@example.com'));
    expect(toAnn).toHaveLength(1);
    expect(toAnn[0].raw).toContain('Dear Ann');
    expect((await clocks(id))['acknowledgement'].status).toBe('met');
    clock.set('2026-11-30T12:00:00+01:00');
    expect(await sla.alerts.fireDue()).toBe(1);
    expect(await alertIds(id)).toEqual(['owner:breach']);
    await sla.deadlines.handle([
      assigned({
        complaintId: id,
        receivedAt: '2026-11-30T10:00:00+01:00',
        assignedAt: '2026-11-30T12:30:00+01:00',
      }),
    ]);
    const c = await clocks(id);
    expect(c['owner']).toMatchObject({ status: 'breached' });
    expect(c['owner'].met_at).not.toBeNull();
    const [{ status }] = await ds.query(
      `SELECT status FROM sla_escalations WHERE complaint_id = $1 AND level = 'team-lead'`,
      [id],
    );
    expect(status).toBe('cancelled');
    await sla.messages.sendDue();
    expect(smtp.mails.filter((m) => m.to.includes('ann@example.com'))).toHaveLength(1); // no second acknowledgement
  });

  it('starts no clocks for a post that is not a complaint', async () => {
    const sla = slaServices(ds, new MovableClock(new Date('2026-11-30T10:00:00+01:00')));
    await sla.start.handle([
      classified({
        complaintId: 'cmp_notacomplaint000000001',
        receivedAt: '2026-11-30T10:00:00+01:00',
        complaint: 'none',
      }),
    ]);
    expect(await clocks('cmp_notacomplaint000000001')).toEqual({});
  });
});

describe('team SLA share and breach prediction', () => {
  it('alerts the team lead once when the share within SLA drops below target, and flags clocks the queue will not reach', async () => {
    const clock = new MovableClock(new Date('2026-12-10T12:00:00+01:00'));
    const sla = slaServices(ds, clock, { webhooks: [{ id: 'ops', url: receiver.url, secret: SECRET }] });
    await ds.query(
      `INSERT INTO teams (id, name, lead_id, sla_target) VALUES ('billing', 'Billing', 'lead-2', 0.8)`,
    );
    await ds.query(
      `INSERT INTO team_members (id, team_id, name, role, capacity) VALUES ('b-1', 'billing', 'Bo', 'handler', 5)`,
    );
    // 6 finished clocks this week: 3 met, 3 breached → 50 % < 80 %.
    await ds.query(`INSERT INTO sla_clocks (complaint_id, clock, started_at, deadline, warn_at, status, met_at, breached_at, team_id)
                    SELECT 'cmp_share' || g, 'first-response', '2026-12-08T09:00:00Z', '2026-12-08T12:00:00Z', '2026-12-08T11:00:00Z',
                           CASE WHEN g <= 3 THEN 'met' ELSE 'breached' END,
                           CASE WHEN g <= 3 THEN '2026-12-08T11:00:00Z'::timestamptz END, CASE WHEN g > 3 THEN '2026-12-08T12:00:00Z'::timestamptz END, 'billing'
                      FROM generate_series(1, 6) g`);
    expect(await sla.analysis.checkTeamShares()).toEqual([{ teamId: 'billing', share: 0.5, target: 0.8 }]);
    expect(await sla.analysis.checkTeamShares()).toEqual([]); // once per day
    // 4 open clocks due in 3 h; one handler; recent first responses took 2 h → the 2nd and later are at risk.
    await ds.query(`INSERT INTO sla_clocks (complaint_id, clock, started_at, deadline, warn_at, status, team_id)
                    SELECT 'cmp_queue' || g, 'first-response', '2026-12-10T11:00:00Z', '2026-12-10T14:00:00Z'::timestamptz + g * interval '1 minute', '2026-12-10T13:00:00Z', 'running', 'billing'
                      FROM generate_series(1, 4) g`);
    expect(await sla.analysis.predictBreaches()).toBeGreaterThanOrEqual(3);
    expect(await sla.analysis.predictBreaches()).toBe(0);
    const flagged = await ds.query(
      `SELECT complaint_id FROM sla_clocks WHERE team_id = 'billing' AND at_risk ORDER BY complaint_id`,
    );
    expect(flagged.map((r: { complaint_id: string }) => r.complaint_id)).toEqual([
      'cmp_queue2',
      'cmp_queue3',
      'cmp_queue4',
    ]);
    const [{ n }] = await ds.query(
      `SELECT count(*)::int AS n FROM webhook_deliveries WHERE event_type IN ('sla-share-below-target', 'sla-at-risk') AND payload->>'teamId' = 'billing'`,
    );
    expect(n).toBe(4);
  });
});
