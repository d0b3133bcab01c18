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
