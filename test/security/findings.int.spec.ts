import { UserStore } from '@klaxon/platform/auth';
import { waitFor } from '../support/wait-for';
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
    const still = await app.db.query('SELECT undone_at FROM customer_links WHERE id = $1', [
      linkOf(theirs.id),
    ]);
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
    const noReason = await app.call({ person: 'lead' }, 'POST', path, {
      reason: 'manual',
      memberId: 'm-service-3',
    });
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

describe('sign-in: JSON only, throttled, the same answer for locked, unknown and wrong', () => {
  let ipSeq = 0;
  const freshIp = () => `198.51.100.${++ipSeq}`;
  const login = (email: string, password: string, ip = freshIp()) =>
    app.call(null, 'POST', '/api/session', { email, password }, { 'x-forwarded-for': ip });
  const checks = () => app.running.app.get(UserStore).passwordChecks;

  it('accepts only a JSON body (a cross-site form cannot sign anyone in)', async () => {
    const form = await app.call(
      null,
      'POST',
      '/api/session',
      'email=admin%40security.test&password=a+long+enough+secret',
      { 'content-type': 'application/x-www-form-urlencoded' },
    );
    expect(form.status).toBe(415);
    expect(form.headers.getSetCookie()).toEqual([]);
  });

  it('answers a locked, an unknown and a wrongly typed account alike, each after one password check', async () => {
    const email = `victim.${Date.now()}@security.test`;
    expect(
      (
        await app.call(admin, 'POST', '/api/users', {
          email,
          name: 'Victim',
          role: 'handler',
          password: 'the right password',
        })
      ).status,
    ).toBe(201);
    const answers: Array<[number, unknown, number]> = [];
    for (const [who, password] of [
      [email, 'a wrong password'],
      [`nobody.${Date.now()}@security.test`, 'a wrong password'],
    ] as const) {
      const before = checks();
      const res = await login(who, password);
      answers.push([res.status, res.json, checks() - before]);
    }
    await app.db.query(`UPDATE users SET locked_until = now() + interval '1 hour' WHERE email = $1`, [email]);
    const before = checks();
    const locked = await login(email, 'the right password');
    answers.push([locked.status, locked.json, checks() - before]);
    const expected = [
      401,
      { error: { code: 'invalid-credentials', message: 'Wrong e-mail or password' } },
      1,
    ];
    expect(answers).toEqual([expected, expected, expected]);
  });

  it('throttles an account after its failures (LOGIN_MAX_PER_ACCOUNT), known or not, from any address (429 with Retry-After)', async () => {
    for (const email of ['admin@security.test', `ghost.${Date.now()}@security.test`]) {
      for (let i = 0; i < 3; i++) expect((await login(email, 'not it')).status).toBe(401);
      const sixth = await login(email, 'not it');
      expect(sixth.status).toBe(429);
      expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // An admin lifting the lock-out lifts the limit too.
    const users = await app.call(admin, 'GET', '/api/users');
    const id = users.json.items.find((u: { email: string }) => u.email === 'admin@security.test').id;
    expect((await app.call(admin, 'PATCH', `/api/users/${id}`, { disabled: false })).status).toBe(200);
    expect((await login('admin@security.test', 'a long enough secret')).status).toBe(200);
  });

  it('throttles an address after its attempts that did not succeed (LOGIN_MAX_PER_IP), and no other address', async () => {
    const ip = freshIp();
    for (let i = 0; i < 4; i++)
      expect((await login(`spray${i}.${Date.now()}@x.test`, 'x', ip)).status).toBe(401);
    const next = await login(`spray.${Date.now()}@x.test`, 'x', ip);
    expect(next.status).toBe(429);
    expect(Number(next.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await login(`spray.${Date.now()}@x.test`, 'x')).status).toBe(401);
  });

  it('checks at most a few passwords at once and answers 503 with Retry-After beyond its line', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => login(`flood${i}.${Date.now()}@x.test`, 'x')),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s !== 401 && s !== 503)).toEqual([]);
    const busy = answers.filter((a) => a.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy.every((a) => Number(a.headers.get('retry-after')) > 0)).toBe(true);
  });
});

describe('API keys: grant only what one holds', () => {
  it('a key holding only admin cannot mint a key that reads, acts or submits', async () => {
    const keeper = await app.call(admin, 'POST', '/api/api-keys', { name: 'keeper', scopes: ['admin'] });
    expect(keeper.status).toBe(201);
    const as = { key: String(keeper.json.key) };
    const wider = await app.call(as, 'POST', '/api/api-keys', {
      name: 'wider',
      scopes: ['submit', 'read', 'act'],
    });
    expect([wider.status, wider.json.error.code]).toEqual([403, 'forbidden']);
    expect((await app.call(as, 'POST', '/api/api-keys', { name: 'same', scopes: ['admin'] })).status).toBe(
      201,
    );
  });
});

describe('control characters and lone surrogates: 400, never a 500', () => {
  it('refuses them in JSON bodies, query parameters and the public form', async () => {
    const complaint = (customer: Record<string, string>, text: string) =>
      app.call(admin, 'POST', '/api/complaints', { channel: 'web', text, customer });
    const nul = await complaint({ email: 'nul@example.nl' }, 'Mijn pakket\u0000 is kwijt');
    expect([nul.status, nul.json.error.field]).toEqual([400, 'text']);
    const surrogate = await complaint(
      { email: 'sur@example.nl', name: 'Eva \ud800' },
      'Mijn pakket is kwijt',
    );
    expect([surrogate.status, surrogate.json.error.field]).toEqual([400, 'customer.name']);
    const query = await app.call(admin, 'GET', '/api/signals?q=%00');
    expect([query.status, query.json.error.field]).toEqual([400, 'q']);
    const form = await app.call(null, 'POST', '/complaint-form', 'text=kapot%00&email=a%40example.nl', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(400);
    // A paired surrogate (an emoji) is fine.
    expect((await complaint({ email: 'emoji@example.nl', name: 'Eva 😀' }, 'Pakket kwijt 😡')).status).toBe(
      202,
    );
  });
});

describe('headers: the public form is locked down, personal data is never cached', () => {
  it('serves the form and its answers with CSP, frame-ancestors and nosniff', async () => {
    for (const res of [
      await app.call(null, 'GET', '/?lang=en'),
      await app.call(null, 'POST', '/complaint-form', 'name=&contact=', {
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-for': '203.0.113.77',
      }),
    ]) {
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('answers personal data with Cache-Control: no-store', async () => {
    const c = await app.complaint('customer-service', 'm-service-2', `cache.${Date.now()}@example.nl`);
    for (const path of [
      `/api/complaints/${c.id}`,
      `/api/customers/${c.customerId}`,
      '/api/signals',
      '/api/users',
    ]) {
      const res = await app.call(admin, 'GET', path);
      expect([path, res.status, res.headers.get('cache-control')]).toEqual([path, 200, 'no-store']);
    }
  });
});

describe('Idempotency-Key: the caller’s own, and never silently dropping other content', () => {
  it('scopes the key to its caller and answers 409 idempotency-key-reused for other content', async () => {
    const site = await app.call(admin, 'POST', '/api/api-keys', { name: 'other-site', scopes: ['submit'] });
    const other = { key: String(site.json.key) };
    const key = { 'idempotency-key': `order-${Date.now()}` };
    const body = { channel: 'web', text: 'Mijn pakket is kwijt.', customer: { email: 'idem@example.nl' } };
    const first = await app.call(admin, 'POST', '/api/complaints', body, key);
    expect(first.status).toBe(202);
    const retry = await app.call(admin, 'POST', '/api/complaints', body, key);
    expect([retry.status, retry.json.id]).toEqual([202, first.json.id]);
    const otherCaller = await app.call(other, 'POST', '/api/complaints', body, key);
    expect(otherCaller.status).toBe(202);
    expect(otherCaller.json.id).not.toBe(first.json.id);
    const changed = await app.call(
      admin,
      'POST',
      '/api/complaints',
      { ...body, text: 'Iets heel anders.' },
      key,
    );
    expect([changed.status, changed.json.error.code]).toEqual([409, 'idempotency-key-reused']);
  });
});

describe('the acknowledgement carries no attacker-chosen text to an unverified address', () => {
  it('omits the name given in a web post', async () => {
    const posted = await app.call(admin, 'POST', '/api/complaints', {
      channel: 'web',
      text: 'Mijn pakket is niet bezorgd.',
      customer: { email: 'victim@example.nl', name: 'Win a prize at evil.example' },
    });
    expect(posted.status).toBe(202);
    const ack = await waitFor('the acknowledgement', async () => {
      const r = await app.db.query(
        `SELECT subject, body FROM customer_messages WHERE complaint_id = $1 AND kind = 'acknowledgement'`,
        [posted.json.id],
      );
      return r.rows[0];
    });
    expect(ack.body).toContain(posted.json.reference);
    expect(`${ack.subject}\n${ack.body}`).not.toContain('evil.example');
  });
});

describe('signals, KPIs, absence reasons and root causes: scoped by team or role', () => {
  it('shows signals to webcare and leads, not to handlers', async () => {
    expect((await app.call({ person: 'handler' }, 'GET', '/api/signals')).status).toBe(403);
    expect((await app.call({ person: 'handler' }, 'POST', '/api/signals/sig_x/dismiss', {})).status).toBe(
      403,
    );
    expect((await app.call({ person: 'webcare' }, 'GET', '/api/signals')).status).toBe(200);
    expect((await app.call({ person: 'lead' }, 'GET', '/api/signals')).status).toBe(200);
  });

  it("answers a person with their own teams' KPIs only", async () => {
    await app.complaint('logistics', 'm-logistics-2', `kpi.${Date.now()}@example.nl`);
    await app.complaint('customer-service', 'm-service-2', `kpi2.${Date.now()}@example.nl`);
    const mine = await app.call({ person: 'handler' }, 'GET', '/api/kpis?groupBy=team');
    expect(mine.status).toBe(200);
    expect(mine.json.groups.map((g: { key: string }) => g.key)).toEqual(['customer-service']);
    expect((await app.call({ person: 'handler' }, 'GET', '/api/kpis?teamId=logistics')).status).toBe(403);
    const all = await app.call({ person: 'executive' }, 'GET', '/api/kpis?groupBy=team');
    expect(all.json.groups.map((g: { key: string }) => g.key)).toEqual(
      expect.arrayContaining(['customer-service', 'logistics']),
    );
  });

  it('tells why someone is absent only to them, their lead and admins', async () => {
    const absence = await app.call(admin, 'POST', '/api/members/m-logistics-3/absences', {
      from: new Date(Date.now() + 86_400_000).toISOString(),
      until: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      reason: 'medical: knee surgery',
    });
    expect(absence.status).toBeLessThan(300);
    for (const path of ['/api/members?teamId=logistics', '/api/members/m-logistics-3']) {
      const seen = await app.call({ person: 'handler' }, 'GET', path);
      expect([path, seen.status, seen.text.includes('knee surgery')]).toEqual([path, 200, false]);
      expect((await app.call({ person: 'lead' }, 'GET', path)).text).toContain('knee surgery');
    }
  });

  it("names only the complaints of one's own teams in a root-cause review", async () => {
    const mine = await app.complaint('customer-service', 'm-service-2', `rc.${Date.now()}@example.nl`);
    const theirs = await app.complaint('logistics', 'm-logistics-2', `rc2.${Date.now()}@example.nl`);
    const id = `rci_security_${Date.now()}`;
    await app.db.query(
      `INSERT INTO root_cause_items (id, kind, category, status, opened_at, window_start, complaint_count, reason, team_id)
       VALUES ($1, 'review', 'staff', 'open', now(), now() - interval '7 days', 2, 'test', 'customer-service')`,
      [id],
    );
    await app.db.query(
      `INSERT INTO root_cause_links (item_id, complaint_id, linked_at, how) VALUES ($1, $2, now(), 'trigger'), ($1, $3, now(), 'trigger')`,
      [id, mine.id, theirs.id],
    );
    const list = await app.call({ person: 'handler' }, 'GET', '/api/root-cause-items');
    const item = list.json.items.find((i: { id: string }) => i.id === id);
    expect(item.complaintIds).toEqual([mine.id]);
    const detail = await app.call({ person: 'handler' }, 'GET', `/api/root-cause-items/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.text).not.toContain(theirs.id);
    const everything = await app.call(admin, 'GET', `/api/root-cause-items/${id}`);
    expect(everything.text).toContain(theirs.id);
  });
});

describe('numbers beyond what the database holds: 400, never a 500 (found by the fuzzer)', () => {
  it('refuses an authority of 2^31 when reassigning', async () => {
    const c = await app.complaint('customer-service', 'm-service-2', `big.${Date.now()}@example.nl`);
    const res = await app.call(admin, 'POST', `/api/complaints/${c.id}/reassign`, {
      reason: 'needs-authority',
      requiredAuthority: 2 ** 31,
      note: 'a sofa',
    });
    expect([res.status, res.json.error.field]).toEqual([400, 'requiredAuthority']);
  });
});
