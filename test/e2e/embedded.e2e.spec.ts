import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAppProcess, type AppProcess } from '@klaxon/testing';
import {
  SAMPLE_TEXTS,
  getJson,
  isFullyProcessed,
  postComplaint,
  type ComplaintViewLite,
} from '../support/api';
import { waitFor } from '../support/wait-for';

// `npm start` itself: every stage in one process, in-process bus, embedded PostgreSQL (PGlite) in DATA_DIR.
jest.setTimeout(120_000);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-embedded-'));
let app: AppProcess;
const start = () => startAppProcess('klaxon', { DATA_DIR: dataDir, KAFKA_BROKERS: '', DATABASE_URL: '' });

beforeAll(async () => {
  app = await start();
});

afterAll(async () => {
  await app?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const total = async () => (await getJson<{ total: number }>(`${app.url}/api/complaints`)).json.total;

it('classifies, assigns and sets deadlines for complaints posted to the API', async () => {
  const ids: string[] = [];
  for (const text of SAMPLE_TEXTS) {
    const { status, json } = await postComplaint(app.url, {
      channel: 'web',
      text,
      customer: { email: 'piet@example.nl' },
    });
    expect(status).toBe(202);
    ids.push(String(json.id));
  }
  const phone = await postComplaint(app.url, {
    channel: 'phone',
    text: 'Beller klaagt dat de monteur twee keer niet is komen opdagen.',
    customer: { name: 'Jan Smit', phone: '06 12345678' },
    phone: { agentId: 'agent-7', callAt: '2026-11-24T10:15:00+01:00' },
  });
  expect(phone.status).toBe(202);
  ids.push(String(phone.json.id));

  const views = await waitFor(
    'every complaint fully processed',
    async () => {
      const all = await Promise.all(
        ids.map(async (id) => (await getJson<ComplaintViewLite>(`${app.url}/api/complaints/${id}`)).json),
      );
      return all.every(isFullyProcessed) ? all : undefined;
    },
    60_000,
    200,
  );
  expect(new Set(views.map((v) => v.owner!.teamId)).size).toBeGreaterThan(1);
  // Routing follows the taxonomy: whatever category the classifier says, the demo team whose purpose it
  // is takes the complaint (billing complaints used to land with customer service).
  const purpose: Record<string, string> = {
    'price-billing': 'billing',
    delivery: 'logistics',
    product: 'product',
    communication: 'customer-service',
    staff: 'customer-service',
    uncategorised: 'customer-service',
  };
  const categories = views.map((v) => v.classification!.category);
  expect(views.map((v) => [v.classification!.category, v.owner!.teamId])).toEqual(
    categories.map((c) => [c, purpose[c]]),
  );
  expect(categories).toContain('price-billing');
  const phoneView = (
    await getJson<ComplaintViewLite & { customer: { phone: string } }>(
      `${app.url}/api/complaints/${phone.json.id}`,
    )
  ).json;
  expect(phoneView.customer.phone).toBe('+31612345678');

  const listed = await getJson<{ items: unknown[]; total: number; page: number; pageSize: number }>(
    `${app.url}/api/complaints?channel=phone&pageSize=1`,
  );
  expect(listed.json).toMatchObject({ total: 1, page: 1, pageSize: 1 });
  expect(listed.json.items).toHaveLength(1);
  const billing = await getJson<{ total: number }>(`${app.url}/api/complaints?category=price-billing`);
  expect(billing.json.total).toBe(categories.filter((c) => c === 'price-billing').length);
  const unknown = await getJson<{ error: { code: string; field: string } }>(
    `${app.url}/api/complaints?category=billing`,
  );
  expect([unknown.status, unknown.json.error]).toEqual([
    400,
    expect.objectContaining({ code: 'invalid-field', field: 'category' }),
  ]);
});

it('treats a retried post with the same Idempotency-Key as the same complaint', async () => {
  const body = { channel: 'web', text: 'Dubbel verstuurd?', customer: { email: 'x@example.nl' } };
  const first = await postComplaint(app.url, body, { 'idempotency-key': 'retry-123' });
  const before = await total();
  const second = await postComplaint(app.url, body, { 'idempotency-key': 'retry-123' });
  expect(second).toEqual({ status: 202, json: first.json });
  expect(await total()).toBe(before);
});

describe('bad input gets a clear 4xx and stores nothing', () => {
  it.each([
    ['missing text', { channel: 'web', customer: {} }, 400, 'invalid-field', 'text'],
    ['wrong type', { channel: 'web', text: 42, customer: {} }, 400, 'invalid-field', 'text'],
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
      'phone note without agent',
      { channel: 'phone', text: 'x', customer: {} },
      400,
      'invalid-field',
      'phone',
    ],
    [
      'too long text',
      { channel: 'web', text: 'x'.repeat(20_001), customer: {} },
      400,
      'invalid-field',
      'text',
    ],
  ])('%s', async (_what, body, status, code, field) => {
    const before = await total();
    const res = await postComplaint(app.url, body);
    expect(res.status).toBe(status);
    expect(res.json).toEqual({ error: { code, message: expect.any(String), field } });
    expect(await total()).toBe(before);
  });

  it('1 MB of text', async () => {
    const before = await total();
    const res = await postComplaint(app.url, { channel: 'web', text: 'x'.repeat(1024 * 1024), customer: {} });
    expect(res.status).toBe(413);
    expect(res.json).toEqual({ error: { code: 'payload-too-large', message: expect.any(String) } });
    expect(await total()).toBe(before);
  });

  it('non-JSON', async () => {
    const before = await total();
    const res = await postComplaint(app.url, '{"channel": "web", text');
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error: { code: 'invalid-json', message: expect.any(String) } });
    expect(await total()).toBe(before);
  });

  it('an unknown complaint', async () => {
    const res = await getJson(`${app.url}/api/complaints/cmp_doesnotexist00000000000`);
    expect(res).toEqual({ status: 404, json: { error: { code: 'not-found', message: expect.any(String) } } });
  });
});

it('serves the public form, shows errors next to the fields, and confirms with a reference', async () => {
  const page = await fetch(`${app.url}/`);
  expect(page.headers.get('content-type')).toMatch(/text\/html/);
  const html = await page.text();
  expect(html).toContain('<form method="post" action="/complaint-form"');
  expect(html).toMatch(/<label for="text">/);

  const bad = await fetch(`${app.url}/complaint-form`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'name=%3Cscript%3E&text=',
  });
  expect(bad.status).toBe(400);
  const badHtml = await bad.text();
  expect(badHtml).toContain('id="text-error"');
  expect(badHtml).toContain('&lt;script&gt;');
  expect(badHtml).not.toContain('<script>');

  const before = await total();
  const ok = await fetch(`${app.url}/complaint-form`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      name: 'Els',
      contact: 'els@example.nl',
      customerPicked: 'question',
      text: 'Waarom duurt mijn terugbetaling zo lang?',
      consent: 'yes',
    }).toString(),
  });
  expect(ok.status).toBe(200);
  expect(await ok.text()).toMatch(/id="reference">KLX-[0-9A-Z]{4}-[0-9A-Z]{4}</);
  expect(await total()).toBe(before + 1);
});

it('shows where the time went: per-stage queue wait, handling and complaint age, and HTTP requests by route', async () => {
  // Runs after the first test: the complaints it posted went through every stage of this process.
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const count = (name: string, labels: Record<string, string>) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${name}{`))
      .filter((line) => Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  const posted = SAMPLE_TEXTS.length + 1;
  for (const group of ['klaxon-classifier', 'klaxon-router', 'klaxon-sla']) {
    expect(count('klaxon_stage_queue_wait_seconds_count', { group })).toBeGreaterThanOrEqual(posted);
    expect(count('klaxon_stage_handling_seconds_count', { group })).toBeGreaterThan(0);
    expect(count('klaxon_complaint_age_seconds_count', { stage: group })).toBeGreaterThanOrEqual(posted);
  }
  expect(
    count('klaxon_http_requests_total', { method: 'POST', route: '/api/complaints', status: '202' }),
  ).toBeGreaterThanOrEqual(posted);
  expect(
    count('klaxon_http_request_duration_seconds_count', { route: '/api/complaints/:id' }),
  ).toBeGreaterThan(0);
  // Business counters: every posted complaint classified once (by label), and routed (assigned or queued).
  expect(count('klaxon_complaints_classified_total', {})).toBeGreaterThanOrEqual(posted);
  expect(count('klaxon_complaints_routed_total', {})).toBeGreaterThan(0);
});

it('has the API key `demo` with every scope, and refuses calls without a key', async () => {
  const body = { channel: 'web', text: 'Zonder sleutel', customer: {} };
  const before = await total();
  expect((await postComplaint(app.url, body, { authorization: 'Bearer nope' })).status).toBe(401);
  expect((await fetch(`${app.url}/api/complaints`)).status).toBe(401);
  expect(await total()).toBe(before);
  const keys = await getJson<{ items: Array<{ name: string; scopes: string[] }> }>(`${app.url}/api/api-keys`);
  expect(keys.json.items).toEqual([
    expect.objectContaining({ name: 'demo', scopes: ['submit', 'read', 'act', 'admin'] }),
  ]);
  expect((await fetch(`${app.url}/api/docs/openapi.json`)).status).toBe(200);
});

it('keeps its data across a restart', async () => {
  const count = await total();
  expect(count).toBeGreaterThan(0);
  expect(await app.stop()).toBe(0); // graceful: exit code 0
  app = await start();
  expect(await total()).toBe(count);
});

it('answers its health probes', async () => {
  expect((await fetch(`${app.url}/health/live`)).status).toBe(200);
  expect(await (await fetch(`${app.url}/health/ready`)).json()).toEqual({
    status: 'ok',
    checks: { database: true, bus: true },
    outboxParked: 0,
    stalled: [],
  });
  const metrics = await (await fetch(`${app.url}/metrics`)).text();
  expect(metrics).toContain('process_cpu_user_seconds_total');
  expect(metrics).toMatch(/^klaxon_outbox_parked\{[^}]*\} 0$/m);
});
