import { ADMIN_KEY, startSecurityApp, type SecurityApp } from './support/security-app';

// Issue #16, item 1: every finding of the attacker's tour, replayed on the whole Klaxon (real
// PostgreSQL), each failing before its fix.
jest.setTimeout(180_000);

let app: SecurityApp;
const admin = { key: ADMIN_KEY };

beforeAll(async () => {
  app = await startSecurityApp();
});

afterAll(async () => {
  await app?.stop();
});

describe('customers: team checks, filtered answers, the access log', () => {
  it("a handler cannot undo a link of another team's complaint; undoing one's own answers only one's own", async () => {
    const email = `eva.${Date.now()}@example.nl`;
    const mine = await app.complaint('customer-service', 'm-service-2', email);
    const theirs = await app.complaint('logistics', 'm-logistics-2', email);
    expect(theirs.customerId).toBe(mine.customerId);
    const customer = await app.call(admin, 'GET', `/api/customers/${mine.customerId}`);
    const linkOf = (complaintId: string) =>
      customer.json.links.find((l: { complaintId: string }) => l.complaintId === complaintId).id as string;

    const denied = await app.call(
      { person: 'handler' },
      'DELETE',
      `/api/customers/${mine.customerId}/links/${linkOf(theirs.id)}`,
    );
    expect(denied.status).toBe(403);
    const still = await app.db.query('SELECT undone_at FROM customer_links WHERE id = $1', [linkOf(theirs.id)]);
    expect(still.rows[0].undone_at).toBeNull();

    const undone = await app.call(
      { person: 'handler' },
      'DELETE',
      `/api/customers/${mine.customerId}/links/${linkOf(mine.id)}`,
    );
    expect(undone.status).toBe(200);
    expect(undone.text).not.toContain(theirs.id);
    const logged = await app.db.query(
      `SELECT count(*)::int AS n FROM access_log WHERE action LIKE 'DELETE %' AND subject_id = $1`,
      [mine.customerId],
    );
    expect(logged.rows[0].n).toBe(1);
  });
});

describe('reassigning: leads and admins only, to people who can own it, with a reason and their name', () => {
  it('refuses handlers, seniors and webcare agents (they hand back), even on their own team', async () => {
    const c = await app.complaint('customer-service', 'm-service-2', `r1.${Date.now()}@example.nl`);
    for (const person of ['handler', 'senior'] as const) {
      const res = await app.call({ person }, 'POST', `/api/complaints/${c.id}/reassign`, {
        reason: 'manual',
        memberId: 'm-service-1',
        note: 'I want it',
      });
      expect(res.status).toBe(403);
    }
    const w = await app.complaint('webcare', 'm-webcare-2', `r2.${Date.now()}@example.nl`);
    const res = await app.call({ person: 'webcare' }, 'POST', `/api/complaints/${w.id}/reassign`, {
      reason: 'manual',
      memberId: 'm-webcare-1',
      note: 'mine now',
    });
    expect(res.status).toBe(403);
    const owner = await app.db.query('SELECT owner_id FROM complaints WHERE id = ANY($1)', [[c.id, w.id]]);
    expect(owner.rows.map((r) => r.owner_id).sort()).toEqual(['m-service-2', 'm-webcare-2']);
  });

  it('needs a reason, refuses executives (read-only) as targets, and records the reason with the name', async () => {
    const c = await app.complaint('customer-service', 'm-service-2', `r3.${Date.now()}@example.nl`);
    const path = `/api/complaints/${c.id}/reassign`;
    const noReason = await app.call({ person: 'lead' }, 'POST', path, { reason: 'manual', memberId: 'm-service-3' });
    expect(noReason.status).toBe(400);
    expect(noReason.json.error.field).toBe('note');
    const toExecutive = await app.call({ person: 'lead' }, 'POST', path, {
      reason: 'manual',
      memberId: 'm-exec',
      note: 'boss should see it',
    });
    expect(toExecutive.status).toBe(400);
    expect(toExecutive.json.error.field).toBe('memberId');
    const ok = await app.call({ person: 'lead' }, 'POST', path, {
      reason: 'manual',
      memberId: 'm-service-3',
      note: 'speaks the customer’s language',
    });
    expect(ok.status).toBe(200);
    const history = await app.db.query(
      `SELECT reason FROM complaint_history WHERE complaint_id = $1 AND kind = 'reassigned'`,
      [c.id],
    );
    expect(history.rows[0].reason).toContain('speaks the customer’s language');
    expect(history.rows[0].reason).toContain('The lead');
  });
});
