import Ajv2020 from 'ajv/dist/2020';
import { Client } from 'pg';
import { loadRuntimeConfig } from '@klaxon/platform/config';
import { connectInfrastructure, startApp, type RunningApp } from '@klaxon/platform/runtime';
import { startPostgresCluster, type PostgresCluster } from '@klaxon/testing';
import { IntakeModule } from './intake.module';

// The intake module in-process, on a real PostgreSQL and the in-process bus, over real HTTP.
jest.setTimeout(60_000);

const KEYS = {
  all: 'test-all-0123456789-0123456789abcdef',
  submit: 'test-submit-0123456789-0123456789abcdef',
  read: 'test-read-0123456789-0123456789abcdef',
};
let pg: PostgresCluster;
let db: Client;
let app: RunningApp;
let url: string;

beforeAll(async () => {
  pg = await startPostgresCluster();
  const databaseUrl = await pg.createDatabase('intake');
  const config = loadRuntimeConfig({
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'silent',
    API_KEYS: `all:${KEYS.all}:*,site:${KEYS.submit}:submit,reports:${KEYS.read}:read`,
    // The test stands where the ingress would: its X-Forwarded-For is believed.
    TRUST_PROXY: '127.0.0.1/32',
  });
  const infrastructure = await connectInfrastructure({
    service: 'intake-test',
    config,
    embedded: { dataDir: undefined },
  });
  app = await startApp({
    service: 'intake',
    infrastructure,
    features: [IntakeModule],
    http: { port: 0, host: '127.0.0.1', bodyLimitBytes: 256 * 1024, trustProxy: config.http.trustProxy },
    apiKeys: config.apiKeys,
  });
  url = app.url;
  db = new Client({ connectionString: databaseUrl });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await app?.stop();
  await pg?.stop();
});

const count = async (where = 'true', params: unknown[] = []) =>
  (
    (await db.query(`SELECT count(*)::int AS n FROM complaints WHERE ${where}`, params)).rows[0] as {
      n: number;
    }
  ).n;

async function post(
  path: string,
  body: unknown,
  key: string | null = KEYS.submit,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

let ipCounter = 0;
/** Each form test posts from its own client address (the app trusts X-Forwarded-For, as behind an ingress). */
async function postForm(
  fields: Record<string, string>,
  opts: { ip?: string; lang?: string; acceptLanguage?: string; accept?: string } = {},
) {
  const res = await fetch(`${url}/complaint-form${opts.lang ? `?lang=${opts.lang}` : ''}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-forwarded-for': opts.ip ?? `198.51.100.${++ipCounter}`,
      ...(opts.acceptLanguage ? { 'accept-language': opts.acceptLanguage } : {}),
      ...(opts.accept ? { accept: opts.accept } : {}),
    },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

const valid = {
  name: 'Els Jansen',
  contact: 'Els@Example.nl',
  customerPicked: 'question',
  text: 'Waarom duurt mijn terugbetaling zo lang?',
  consent: 'yes',
};

describe('API keys on the complaint API', () => {
  it('needs a key to submit (401) and the right scope to submit or read (403)', async () => {
    const before = await count();
    const body = { channel: 'web', text: 'Zonder sleutel', customer: {} };
    expect(await post('/api/complaints', body, null)).toEqual({
      status: 401,
      json: { error: { code: 'unauthenticated', message: expect.any(String) } },
    });
    expect(await post('/api/complaints', body, KEYS.read)).toEqual({
      status: 403,
      json: { error: { code: 'forbidden', message: expect.any(String) } },
    });
    expect(await post('/api/complaints', body, 'wrong-key-0123456789')).toMatchObject({ status: 401 });
    expect(await count()).toBe(before);
    const read = (key?: string) =>
      fetch(`${url}/api/complaints`, { headers: key ? { authorization: `Bearer ${key}` } : {} }).then(
        (r) => r.status,
      );
    expect([await read(), await read(KEYS.submit), await read(KEYS.read), await read(KEYS.all)]).toEqual([
      401, 403, 200, 200,
    ]);
  });
});

describe('JSON API', () => {
  it('accepts a web complaint with 202, its id and reference; a retry with the same Idempotency-Key is the same complaint', async () => {
    const body = {
      channel: 'web',
      text: 'Dubbel verstuurd?',
      customer: { email: 'X@Example.nl' },
      customerPicked: 'feedback',
    };
    const first = await post('/api/complaints', body, KEYS.submit, { 'idempotency-key': 'retry-123' });
    expect(first).toEqual({
      status: 202,
      json: { id: expect.stringMatching(/^cmp_/), reference: expect.stringMatching(/^KLX-/) },
    });
    const before = await count();
    expect(await post('/api/complaints', body, KEYS.submit, { 'idempotency-key': 'retry-123' })).toEqual(
      first,
    );
    expect(await count()).toBe(before);
    const { rows } = await db.query(
      'SELECT channel, customer, customer_picked FROM complaints WHERE id = $1',
      [first.json.id],
    );
    expect(rows).toEqual([
      { channel: 'web', customer: { email: 'x@example.nl' }, customer_picked: 'feedback' },
    ]);
    expect(
      (await post('/api/complaints', body, KEYS.submit, { 'idempotency-key': 'not ok!' })).json,
    ).toMatchObject({ error: { code: 'invalid-header', field: 'Idempotency-Key' } });
  });

  describe('bad input gets a clear 4xx and stores nothing', () => {
    it.each([
      ['missing text', { channel: 'web', customer: {} }, 400, 'invalid-field', 'text'],
      ['empty text', { channel: 'web', text: '   ', customer: {} }, 400, 'invalid-field', 'text'],
      ['wrong type', { channel: 'web', text: 42, customer: {} }, 400, 'invalid-field', 'text'],
      [
        'wrong type of customer',
        { channel: 'web', text: 'x', customer: 'anna' },
        400,
        'invalid-field',
        'customer',
      ],
      ['unknown channel', { channel: 'fax', text: 'x', customer: {} }, 400, 'invalid-field', 'channel'],
      [
        'unknown field',
        { channel: 'web', text: 'x', customer: {}, admin: true },
        400,
        'unknown-field',
        'admin',
      ],
      [
        'unknown nested field',
        { channel: 'web', text: 'x', customer: { ssn: '1' } },
        400,
        'unknown-field',
        'customer.ssn',
      ],
      [
        'bad e-mail',
        { channel: 'web', text: 'x', customer: { email: 'nope' } },
        400,
        'invalid-field',
        'customer.email',
      ],
      [
        'too long text',
        { channel: 'web', text: 'x'.repeat(20_001), customer: {} },
        400,
        'invalid-field',
        'text',
      ],
      ['a JSON array', [{ channel: 'web' }], 400, 'invalid-body', undefined],
    ])('%s', async (_what, body, status, code, field) => {
      const before = await count();
      const res = await post('/api/complaints', body);
      expect(res.status).toBe(status);
      expect(res.json).toEqual({ error: { code, message: expect.any(String), ...(field ? { field } : {}) } });
      expect(await count()).toBe(before);
    });

    it('1 MB of text is 413 payload-too-large', async () => {
      const before = await count();
      expect(
        await post('/api/complaints', { channel: 'web', text: 'x'.repeat(1024 * 1024), customer: {} }),
      ).toEqual({ status: 413, json: { error: { code: 'payload-too-large', message: expect.any(String) } } });
      expect(await count()).toBe(before);
    });

    it('non-JSON is 400 invalid-json', async () => {
      const before = await count();
      expect(await post('/api/complaints', '{"channel": "web", text')).toEqual({
        status: 400,
        json: { error: { code: 'invalid-json', message: expect.any(String) } },
      });
      expect(await count()).toBe(before);
    });

    it('an unknown complaint is 404', async () => {
      const res = await fetch(`${url}/api/complaints/cmp_doesnotexist00000000000`, {
        headers: { authorization: `Bearer ${KEYS.read}` },
      });
      expect({ status: res.status, json: await res.json() }).toEqual({
        status: 404,
        json: { error: { code: 'not-found', message: expect.any(String) } },
      });
    });
  });
});

describe('phone notes', () => {
  it('normalise the caller’s number to E.164, on both routes, so the same caller is recognised', async () => {
    const note = await post('/api/phone-notes', {
      agentId: 'agent-7',
      callAt: '2026-11-24T10:15:00+01:00',
      callerPhone: '06 12345678',
      callerName: 'Jan Smit',
      customerNumber: ' ab-991 ',
      summary: 'Beller klaagt dat de monteur twee keer niet is komen opdagen.',
      noteId: 'crm-note-1',
    });
    expect(note).toMatchObject({ status: 202, json: { id: expect.any(String) } });
    const viaComplaints = await post('/api/complaints', {
      channel: 'phone',
      text: 'Tweede gesprek: nog steeds geen monteur.',
      customer: { phone: '0031 6 1234 5678' },
      phone: { agentId: 'agent-9', callAt: '2026-11-25T09:00:00Z' },
    });
    expect(viaComplaints.status).toBe(202);
    const { rows } = await db.query(
      `SELECT id, channel, customer, channel_meta FROM complaints WHERE customer->>'phone' = '+31612345678' ORDER BY received_at`,
    );
    expect(rows).toEqual([
      {
        id: note.json.id,
        channel: 'phone',
        customer: { name: 'Jan Smit', phone: '+31612345678', customerNumber: 'AB-991' },
        channel_meta: { phone: { agentId: 'agent-7', callAt: '2026-11-24T10:15:00+01:00' } },
      },
      {
        id: viaComplaints.json.id,
        channel: 'phone',
        customer: { phone: '+31612345678' },
        channel_meta: { phone: { agentId: 'agent-9', callAt: '2026-11-25T09:00:00Z' } },
      },
    ]);
    const history = await db.query(`SELECT kind, actor FROM complaint_history WHERE complaint_id = $1`, [
      note.json.id,
    ]);
    expect(history.rows).toEqual([{ kind: 'received', actor: 'intake:phone' }]);
  });

  it('are the same complaint when the same note id is posted again', async () => {
    const note = {
      agentId: 'a1',
      callAt: '2026-11-24T11:00:00+01:00',
      customerNumber: 'K-1',
      summary: 'Factuur klopt niet',
      noteId: 'crm-note-2',
    };
    const first = await post('/api/phone-notes', note);
    expect(await post('/api/phone-notes', note)).toEqual(first);
    expect(await count('source_id = $1', ['phone-note:crm-note-2'])).toBe(1);
  });

  it.each([
    [
      'no phone number and no customer number',
      { agentId: 'a', callAt: '2026-11-24T11:00:00+01:00', summary: 'x' },
      'callerPhone',
    ],
    [
      'a phone number that is not one',
      { agentId: 'a', callAt: '2026-11-24T11:00:00+01:00', callerPhone: '12', summary: 'x' },
      'callerPhone',
    ],
    [
      'a call time without offset',
      { agentId: 'a', callAt: '2026-11-24 11:00', callerPhone: '0612345678', summary: 'x' },
      'callAt',
    ],
    [
      'no summary',
      { agentId: 'a', callAt: '2026-11-24T11:00:00+01:00', callerPhone: '0612345678' },
      'summary',
    ],
    ['no agent', { callAt: '2026-11-24T11:00:00+01:00', callerPhone: '0612345678', summary: 'x' }, 'agentId'],
  ])('refuse %s with a 400 naming the field', async (_what, body, field) => {
    const before = await count();
    expect(await post('/api/phone-notes', body)).toEqual({
      status: 400,
      json: { error: { code: 'invalid-field', message: expect.any(String), field } },
    });
    expect(await count()).toBe(before);
  });

  it('via /api/complaints need the agent and the caller', async () => {
    expect((await post('/api/complaints', { channel: 'phone', text: 'x', customer: {} })).json).toMatchObject(
      { error: { field: 'phone' } },
    );
    expect(
      (
        await post('/api/complaints', {
          channel: 'phone',
          text: 'x',
          customer: {},
          phone: { agentId: 'a', callAt: '2026-11-24T11:00:00Z' },
        })
      ).json,
    ).toMatchObject({ error: { field: 'customer.phone' } });
  });
});

describe('the public form', () => {
  it('is Dutch by default, English by Accept-Language or ?lang=, with a link to switch', async () => {
    const get = async (path: string, acceptLanguage?: string) =>
      (
        await fetch(`${url}${path}`, { headers: acceptLanguage ? { 'accept-language': acceptLanguage } : {} })
      ).text();
    const dutch = await get('/');
    expect(dutch).toContain('<html lang="nl">');
    expect(dutch).toContain('<h1>Klacht indienen</h1>');
    expect(dutch).toContain('<a href="/?lang=en" hreflang="en" lang="en">English</a>');
    for (const f of ['name', 'contact', 'customerNumber', 'text', 'consent'])
      expect(dutch).toMatch(new RegExp(`<label[^>]* for="${f}"`));
    expect(await get('/', 'en-GB,en;q=0.9,nl;q=0.5')).toContain('<html lang="en">');
    expect(await get('/', 'de-DE,nl;q=0.8,en;q=0.7')).toContain('<html lang="nl">');
    const english = await get('/?lang=en', 'nl');
    expect(english).toContain('<h1>Submit a complaint</h1>');
    expect(english).toContain('<a href="/?lang=nl" hreflang="nl" lang="nl">Nederlands</a>');
  });

  it('shows each error next to its field, in the page’s language, escapes what it shows back, and stores nothing', async () => {
    const before = await count();
    const bad = await postForm({
      name: '<script>alert(1)</script>',
      contact: 'not-an-address',
      text: '',
      lang: 'en',
    });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('<html lang="en">');
    expect(bad.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(bad.html).not.toContain('<script>');
    expect(bad.html).toMatch(
      /<input id="contact"[^>]* aria-invalid="true" aria-describedby="contact-hint contact-error">/,
    );
    expect(bad.html).toMatch(
      /<p class="error" id="contact-error">.*This is not a valid e-mail address or phone number/,
    );
    expect(bad.html).toMatch(/<p class="error" id="text-error">.*Describe your complaint/);
    expect(bad.html).toMatch(/<p class="error" id="consent-error">.*Without your consent/);
    expect(bad.html).not.toContain('id="name-error"');
    expect(bad.html).toContain('<a href="#contact">');
    const dutch = await postForm({ ...valid, name: '' });
    expect(dutch.status).toBe(400);
    expect(dutch.html).toMatch(/<p class="error" id="name-error">.*Vul uw naam in/);
    expect(await count()).toBe(before);
  });

  it('needs consent to store the complaint', async () => {
    const before = await count();
    const res = await postForm({ ...valid, consent: '' }, { lang: 'nl' });
    expect(res.status).toBe(400);
    expect(res.html).toMatch(/id="consent-error">.*Zonder uw toestemming/);
    expect(await count()).toBe(before);
  });

  it('confirms with the reference of the stored complaint; the classifier, not the form, decides what it is', async () => {
    const res = await postForm({ ...valid, customerNumber: 'ord-77' }, { acceptLanguage: 'en' });
    expect(res.status).toBe(200);
    expect(res.html).toContain('Thank you, we received your message');
    const reference = /id="reference">(KLX-[0-9A-Z]{4}-[0-9A-Z]{4})</.exec(res.html)?.[1];
    expect(reference).toBeDefined();
    const { rows } = await db.query(
      `SELECT id, channel, status, customer, customer_picked FROM complaints WHERE customer->>'email' = 'els@example.nl'`,
    );
    expect(rows).toEqual([
      {
        id: expect.any(String),
        channel: 'web',
        status: 'received',
        customer: { name: 'Els Jansen', email: 'els@example.nl', customerNumber: 'ORD-77' },
        customer_picked: 'question',
      },
    ]);
    expect(`KLX-${rows[0].id.slice(4, 8).toUpperCase()}-${rows[0].id.slice(8, 12).toUpperCase()}`).toBe(
      reference,
    );
    const byPhone = await postForm({
      ...valid,
      contact: '+31 20 123 4567',
      text: 'Telefonisch contact graag',
    });
    expect(byPhone.status).toBe(200);
    expect(await count(`customer->>'phone' = '+31201234567'`)).toBe(1);
  });

  it('answers a filled honeypot like a success, stores nothing and counts it', async () => {
    const before = await count();
    const res = await postForm({ ...valid, website: 'http://spam.example' });
    expect(res.status).toBe(200);
    expect(res.html).toMatch(/id="reference">KLX-[0-9A-Z]{4}-[0-9A-Z]{4}</);
    expect(await count()).toBe(before);
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(
      /klaxon_intake_spam_total\{reason="honeypot"[^}]*\} 1/,
    );
  });

  it('allows 10 posts a minute per client address, then answers 429 rate-limited (HTML or JSON)', async () => {
    const ip = '203.0.113.9';
    for (let i = 0; i < 10; i++) expect((await postForm({ name: 'x' }, { ip })).status).toBe(400);
    const limited = await postForm(valid, { ip, lang: 'en' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.html).toContain('You sent too many messages');
    const json = await postForm(valid, { ip, accept: 'application/json' });
    expect(json.status).toBe(429);
    expect(JSON.parse(json.html)).toEqual({ error: { code: 'rate-limited', message: expect.any(String) } });
    expect((await postForm({ name: 'x' }, { ip: '203.0.113.10' })).status).toBe(400); // another client is not affected
  });

  it('cannot be dodged by forging X-Forwarded-For: the address the trusted proxy appended counts', async () => {
    for (let i = 0; i < 10; i++)
      expect((await postForm({ name: 'x' }, { ip: `10.9.9.${i}, 203.0.113.77` })).status).toBe(400);
    expect((await postForm(valid, { ip: '10.9.9.200, 203.0.113.77' })).status).toBe(429);
  });
});

describe('/api/docs', () => {
  type Doc = {
    openapi: string;
    paths: Record<
      string,
      Record<
        string,
        {
          operationId: string;
          requestBody?: { content: Record<string, { schema: object }> };
          responses: Record<string, { content?: Record<string, { schema?: object }> }>;
          'x-required-scopes'?: string[];
        }
      >
    >;
    components: { schemas: Record<string, object> };
  };
  let doc: Doc;

  beforeAll(async () => {
    const res = await fetch(`${url}/api/docs/openapi.json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as Doc;
  });

  it('lists every route of the intake app and the key API, with the scopes they need', () => {
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /api/complaints',
        'GET /api/complaints',
        'GET /api/complaints/{id}',
        'POST /api/phone-notes',
        'POST /api/api-keys',
        'GET /api/api-keys',
        'DELETE /api/api-keys/{id}',
        'GET /',
        'POST /complaint-form',
        'GET /health/live',
        'GET /health/ready',
        'GET /metrics',
      ]),
    );
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/complaints'].post['x-required-scopes']).toEqual(['submit']);
    expect(doc.paths['/api/complaints/{id}'].get['x-required-scopes']).toEqual(['read']);
    expect(doc.paths['/api/api-keys/{id}'].delete['x-required-scopes']).toEqual(['admin']);
    expect(doc.paths['/complaint-form'].post['x-required-scopes']).toBeUndefined();
    const ids = routes.map((r) => {
      const [m, p] = r.split(' ');
      return doc.paths[p][m.toLowerCase()].operationId;
    });
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has valid JSON Schemas generated from the very zod schemas the routes validate with', async () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const schemas: object[] = [...Object.values(doc.components.schemas)];
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) {
        for (const c of Object.values(op.requestBody?.content ?? {})) schemas.push(c.schema);
        for (const r of Object.values(op.responses))
          for (const c of Object.values(r.content ?? {})) if (c.schema) schemas.push(c.schema);
      }
    }
    expect(schemas.length).toBeGreaterThan(10);
    // `#/components/...` references resolve against the document's components.
    for (const s of schemas) expect(() => ajv.compile({ ...s, components: doc.components })).not.toThrow();

    const body = ajv.compile(
      doc.paths['/api/complaints'].post.requestBody!.content['application/json'].schema,
    );
    expect(body({ channel: 'web', text: 'Kapot', customer: { email: 'a@b.nl' } })).toBe(true);
    expect(body({ channel: 'web', text: 'Kapot', customer: {}, admin: true })).toBe(false);
    expect(body({ channel: 'fax', text: 'Kapot', customer: {} })).toBe(false);

    // A real answer matches the documented response.
    const [id] = (await db.query(`SELECT id FROM complaints LIMIT 1`)).rows.map((r) => r.id as string);
    const real = await (
      await fetch(`${url}/api/complaints/${id}`, { headers: { authorization: `Bearer ${KEYS.read}` } })
    ).json();
    const view = ajv.compile(
      doc.paths['/api/complaints/{id}'].get.responses['200'].content!['application/json'].schema!,
    );
    expect(view(real)).toBe(true);
  });

  it('has a small HTML page pointing at the document', async () => {
    const res = await fetch(`${url}/api/docs`);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('href="/api/docs/openapi.json"');
    expect(html).toContain('<code>/api/phone-notes</code>');
  });
});

it('counts per channel on /metrics: received, duplicates skipped, errors', async () => {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string, labels: string) =>
    Number(new RegExp(`^${name}\\{${labels}[^}]*\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? 'NaN');
  expect(value('klaxon_intake_received_total', 'channel="web"')).toBeGreaterThanOrEqual(3);
  expect(value('klaxon_intake_received_total', 'channel="phone"')).toBeGreaterThanOrEqual(3);
  expect(value('klaxon_intake_duplicates_total', 'channel="web"')).toBeGreaterThanOrEqual(1);
  expect(value('klaxon_intake_duplicates_total', 'channel="phone"')).toBeGreaterThanOrEqual(1);
  expect(value('klaxon_intake_errors_total', 'channel="web",code="invalid-field"')).toBeGreaterThanOrEqual(1);
  expect(value('klaxon_intake_errors_total', 'channel="phone",code="invalid-field"')).toBeGreaterThanOrEqual(
    1,
  );
  expect(value('klaxon_intake_errors_total', 'channel="web",code="invalid-form"')).toBeGreaterThanOrEqual(1);
});
