import {
  PEOPLE,
  READ_KEY,
  ADMIN_KEY,
  startSecurityApp,
  type Person,
  type SecurityApp,
} from './support/security-app';
import {
  fill,
  looseObjects,
  passes,
  requestSchemas,
  routeTable,
  scopesOf,
  type Route,
} from './support/route-table';

// Issue #16, item 5: the OWASP API Top 10 cases that apply, generated from the app's own route table
// (Nest's metadata), so a route added tomorrow is covered by these tests without a word here:
// authentication, function-level and object-level authorisation, mass assignment, rate limits and
// injection in every query and path parameter. `npm run security` runs these with the fuzzers.
jest.setTimeout(300_000);

let app: SecurityApp;
let routes: Route[];
/** Objects of the logistics team, which the customer-service handler must not reach. */
let foreign: { complaintId: string; customerId: string; email: string; linkId: string; reviewId: string };

/** Ids for the path parameters, by route prefix: another team's object wherever objects belong to teams. */
const idsFor = (route: Route): Record<string, string> => {
  const p = route.path;
  if (p.startsWith('/api/complaints/')) return { id: foreign.complaintId };
  if (p.startsWith('/api/customers/')) return { id: foreign.customerId, linkId: foreign.linkId };
  if (p.startsWith('/api/root-cause-items/')) return { id: foreign.reviewId };
  if (p.startsWith('/api/signals/')) return { id: 'sig_security_none' };
  if (p.startsWith('/api/members/')) return { id: 'm-logistics-1', absenceId: 'abs_security_none' };
  if (p.startsWith('/api/teams/')) return { id: 'logistics' };
  if (p.startsWith('/api/users/')) return { id: 'usr_security_none' };
  if (p.startsWith('/api/api-keys/')) return { id: 'key_security_none' };
  return {};
};

/** Routes that take an id but whose objects belong to no team, with why that is fine. */
const NOT_TEAM_OWNED: Record<string, string> = {
  'GET /api/members/:id':
    'the organisation is everyone’s to read; absence reasons are redacted (findings spec)',
};
/** Request schemas that are not strict, with why no unknown field can be assigned through them. */
const READ_FIELD_BY_FIELD: Record<string, string> = {
  'GET / query': 'the form page reads ?lang only; nothing is stored',
  'POST /complaint-form body':
    'the form reads its fields by name (formValues); anything else is never applied',
};
/** Routes that stream (never end): asked for their status line only. */
const STREAMS = new Set(['GET /api/events/stream']);

const ROLES = Object.keys(PEOPLE) as Person[];

async function status(
  caller: Parameters<SecurityApp['call']>[0],
  route: Route,
  path: string,
): Promise<number> {
  if (STREAMS.has(route.key)) {
    const controller = new AbortController();
    const headers: Record<string, string> =
      caller && 'key' in caller
        ? { authorization: `Bearer ${caller.key}` }
        : caller && 'person' in caller
          ? { cookie: app.sessions[caller.person].cookie }
          : {};
    const res = await fetch(`${app.url}${path}`, { headers, signal: controller.signal });
    controller.abort();
    return res.status;
  }
  const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
  return (await app.call(caller, route.method, path, body)).status;
}

beforeAll(async () => {
  // No trusted proxy (the default): a client's own X-Forwarded-For must not move it to another address.
  app = await startSecurityApp({ TRUST_PROXY: 'off' });
  routes = routeTable(app);
  const email = `foreign.${Date.now()}@example.nl`;
  const c = await app.complaint('logistics', 'm-logistics-2', email);
  const customer = await app.call({ key: ADMIN_KEY }, 'GET', `/api/customers/${c.customerId}`);
  const reviewId = `rci_route_table_${Date.now()}`;
  await app.db.query(
    `INSERT INTO root_cause_items (id, kind, category, status, opened_at, window_start, complaint_count, reason, team_id)
     VALUES ($1, 'review', 'delivery', 'open', now(), now() - interval '7 days', 1, 'test', 'logistics')`,
    [reviewId],
  );
  await app.db.query(
    `INSERT INTO root_cause_links (item_id, complaint_id, linked_at, how) VALUES ($1, $2, now(), 'trigger')`,
    [reviewId, c.id],
  );
  foreign = {
    complaintId: c.id,
    customerId: c.customerId,
    email,
    linkId: customer.json.links[0].id,
    reviewId,
  };
});

afterAll(async () => {
  await app?.stop();
});

it('knows the routes (the table is read from the running app)', () => {
  expect(routes.length).toBeGreaterThan(40);
  expect(routes.map((r) => r.key)).toEqual(
    expect.arrayContaining(['POST /api/complaints', 'DELETE /api/customers/:id/links/:linkId']),
  );
});

it('API2 broken authentication: every route that needs a scope answers 401 without a key or with an unknown one', async () => {
  const wrong: string[] = [];
  for (const route of routes.filter((r) => r.scopes)) {
    const path = fill(route, idsFor(route));
    for (const caller of [null, { key: 'not-a-key-0123456789abcdef0123456789' }]) {
      const s = await status(caller, route, path);
      if (s !== 401) wrong.push(`${route.key} ${caller ? 'unknown key' : 'no key'}: ${s}`);
    }
  }
  expect(wrong).toEqual([]);
});

it('API5 broken function-level authorisation: every route refuses every role and key without its scope (403)', async () => {
  const wrong: string[] = [];
  const callers: Array<[string, Parameters<SecurityApp['call']>[0], readonly string[]]> = [
    ...ROLES.map((p): [string, { person: Person }, readonly string[]] => [p, { person: p }, scopesOf(p)]),
    ['read key', { key: READ_KEY }, ['read']],
  ];
  for (const route of routes.filter((r) => r.scopes?.length))
    for (const [who, caller, held] of callers) {
      if (passes(route, held)) continue;
      const s = await status(caller, route, fill(route, idsFor(route)));
      if (s !== 403) wrong.push(`${route.key} as ${who}: ${s}`);
    }
  expect(wrong).toEqual([]);
});

it("API1 broken object-level authorisation: no route hands a handler another team's object (403/404)", async () => {
  const wrong: string[] = [];
  const handler = { person: 'handler' as const };
  for (const route of routes.filter((r) => r.scopes && /:[A-Za-z]/.test(r.path))) {
    if (NOT_TEAM_OWNED[route.key] || !passes(route, scopesOf('handler'))) continue;
    const s = await status(handler, route, fill(route, idsFor(route)));
    if (s !== 403 && s !== 404) wrong.push(`${route.key}: ${s}`);
  }
  expect(wrong).toEqual([]);
});

it("API1/API3 excessive data exposure: no list a handler may read names another team's complaint or customer", async () => {
  const wrong: string[] = [];
  for (const route of routes.filter((r) => r.method === 'GET' && r.scopes && !/:[A-Za-z]/.test(r.path))) {
    if (STREAMS.has(route.key) || !passes(route, scopesOf('handler'))) continue;
    const res = await app.call({ person: 'handler' }, 'GET', route.path);
    for (const secret of [foreign.complaintId, foreign.customerId, foreign.email])
      if (res.text.includes(secret)) wrong.push(`${route.key} shows ${secret}`);
  }
  expect(wrong).toEqual([]);
});

it('API6 mass assignment: every request schema refuses unknown fields, at every depth', () => {
  const loose = routes.flatMap((route) =>
    requestSchemas(route).flatMap(({ where, schema }) =>
      READ_FIELD_BY_FIELD[`${route.key} ${where}`]
        ? []
        : looseObjects(schema).map((at) => `${route.key} ${where} ${at}`),
    ),
  );
  expect(loose).toEqual([]);
});

it('API6 mass assignment: a client cannot set the owner, the team or its own role', async () => {
  const admin = { key: ADMIN_KEY };
  const complaint = await app.call(admin, 'POST', '/api/complaints', {
    channel: 'web',
    text: 'Kapot.',
    customer: { email: 'mass@example.nl' },
    ownerId: 'm-lead',
  });
  expect([complaint.status, complaint.json.error.code]).toEqual([400, 'unknown-field']);
  const user = await app.call(admin, 'POST', '/api/users', {
    email: 'mass@security.test',
    name: 'Mass',
    role: 'handler',
    password: 'a long enough secret',
    scopes: ['admin'],
  });
  expect([user.status, user.json.error.code]).toEqual([400, 'unknown-field']);
});

it('API4 rate limits: the public form limits an address, whatever X-Forwarded-For it claims', async () => {
  const post = (i: number) =>
    app.call(null, 'POST', '/complaint-form', 'name=&contact=', {
      'content-type': 'application/x-www-form-urlencoded',
      'x-forwarded-for': `203.0.113.${i}`,
    });
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) statuses.push((await post(i)).status);
  expect(statuses.slice(0, 10).every((s) => s === 400)).toBe(true); // the form again, with its errors
  expect(statuses[10]).toBe(429);
});

it('API8 injection: no query or path parameter of any route makes the API fail or the data change', async () => {
  const payloads = [
    "' OR '1'='1",
    '1; DROP TABLE complaints; --',
    '{"$ne":null}',
    '../../etc/passwd',
    '<script>x</script>',
    '%',
  ];
  const before = (await app.db.query('SELECT count(*)::int AS n FROM complaints')).rows[0].n;
  const wrong: string[] = [];
  for (const route of routes.filter((r) => r.method === 'GET' && !STREAMS.has(r.key))) {
    const names = Object.keys(
      ((route.doc?.query as unknown as { shape?: Record<string, unknown> } | undefined)?.shape ??
        {}) as object,
    );
    for (const payload of payloads) {
      const paths = [
        ...names.map((n) => `${fill(route, idsFor(route))}?${n}=${encodeURIComponent(payload)}`),
        ...(/:[A-Za-z]/.test(route.path)
          ? [route.path.replace(/:[A-Za-z0-9_]+/g, encodeURIComponent(payload))]
          : []),
      ];
      for (const path of paths) {
        const res = await app.call({ key: ADMIN_KEY }, 'GET', path);
        if (res.status >= 500) wrong.push(`${path}: ${res.status}`);
      }
    }
  }
  expect(wrong).toEqual([]);
  expect((await app.db.query('SELECT count(*)::int AS n FROM complaints')).rows[0].n).toBe(before);
});
