import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildConsoleBundle } from '@klaxon/console/feature';
import { startAppProcess, startFakeXApi, type AppProcess, type FakeXApi } from '@klaxon/testing';
import { waitFor } from '../support/wait-for';

// The console in Debian's Chromium against `npm start`'s app as a process (embedded PostgreSQL, in-process bus, fake X API).
jest.setTimeout(180_000);

const root = path.resolve(__dirname, '../..');
const shots = path.join(root, 'docs', 'screenshots');
const axeSource = readFileSync(path.join(root, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-console-'));
const DEMO = { authorization: 'Bearer demo', 'content-type': 'application/json' };

let app: AppProcess;
let x: FakeXApi;
let browser: Browser;

interface Complaint {
  id: string;
  reference: string;
  status: string;
  owner: { id: string; teamId: string } | null;
  classification: { complaint: string; category: string; priority: string } | null;
  customerId: string | null;
  deadlines: Array<{ clock: string; status: string }>;
  followUps: Array<{ status: string; owner: { id: string } | null; outcome: string | null }>;
}
interface RootCauseItem {
  id: string;
  kind: string;
  status: string;
  complaintIds: string[];
  owner: { id: string } | null;
}

/** What people read for the taxonomy's categories, in English and Dutch. */
const CATEGORY_NAMES: Record<string, { en: string; nl: string }> = {
  delivery: { en: 'Delivery', nl: 'Bezorging' },
  product: { en: 'Product', nl: 'Product' },
  communication: { en: 'Communication', nl: 'Communicatie' },
  'price-billing': { en: 'Price & billing', nl: 'Prijs & facturatie' },
  staff: { en: 'Staff', nl: 'Medewerkers' },
  uncategorised: { en: 'Uncategorised', nl: 'Zonder categorie' },
};

async function apiAs<T>(method: string, url: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${app.url}${url}`, {
    method,
    headers: DEMO,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json().catch(() => null)) as T };
}

async function submit(text: string, email: string): Promise<string> {
  const { json } = await apiAs<{ id: string }>('POST', '/api/complaints', {
    channel: 'web',
    text,
    customer: { name: 'Test Klant', email },
  });
  return json.id;
}

const complaint = (id: string) => apiAs<Complaint>('GET', `/api/complaints/${id}`).then((r) => r.json);
const assigned = (id: string) =>
  waitFor(
    `${id} assigned`,
    async () => ((await complaint(id)).owner ? complaint(id) : undefined),
    30_000,
  ).catch((e: Error) => {
    throw new Error(`${e.message}\n${app.output().slice(-4000)}`);
  });

async function signIn(email: string, lang = 'en-GB'): Promise<{ context: BrowserContext; page: Page }> {
  // bypassCSP: the console's CSP forbids inline scripts, axe is injected as one.
  const context = await browser.newContext({
    locale: lang,
    viewport: { width: 1280, height: 900 },
    bypassCSP: true,
  });
  const page = await context.newPage();
  await page.goto(`${app.url}/console`);
  await page.getByLabel(lang.startsWith('nl') ? 'E-mailadres' : 'E-mail').fill(email);
  await page.getByLabel(lang.startsWith('nl') ? 'Wachtwoord' : 'Password').fill('demo');
  await page.keyboard.press('Enter'); // the form works from the keyboard
  await page.locator('header.top').waitFor();
  await page.locator('.live.on').waitFor({ timeout: 10_000 });
  return { context, page };
}

/** axe-core in the page: no serious or critical WCAG 2.1 A/AA violation. */
async function axe(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  // A string, evaluated in the page (this file is compiled without the DOM's types).
  type Violation = { id: string; impact: string; nodes: string[] };
  const violations = (await page.evaluate(`
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
      .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) })))
  `)) as Violation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.join(', ')}`);
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

beforeAll(async () => {
  // Build the front-end from the current sources (npm start builds it only when missing).
  buildConsoleBundle({ force: true, log: () => undefined });
  mkdirSync(shots, { recursive: true });
  x = await startFakeXApi();
  x.addUser({ id: 'u1', username: 'AnnaDV', name: 'Anna de Vries', followers: 48_000 });
  x.addUser({ id: 'u2', username: 'pietk', name: 'Piet K', followers: 120 });
  x.push({
    id: '900',
    text: '@KlaxonShop third time this week my parcel is "delivered" to nobody. Terrible, I want my money back!',
    authorId: 'u1',
    lang: 'en',
  });
  x.push({
    id: '901',
    text: '@KlaxonShop what time does the store in Utrecht open on Sunday?',
    authorId: 'u2',
    lang: 'en',
  });
  [app, browser] = await Promise.all([
    startAppProcess(
      'klaxon',
      {
        DATA_DIR: dataDir,
        KAFKA_BROKERS: '',
        DATABASE_URL: '',
        X_BEARER_TOKEN: x.bearerToken,
        X_QUERY: '@KlaxonShop',
        X_API_BASE_URL: x.baseUrl,
        NODE_EXTRA_CA_CERTS: x.caFile,
        // Root-cause reviews and spikes are counted in the router's scheduler pass: every second here.
        ROUTER_QUEUE_SCAN_INTERVAL_MS: '1000',
      },
      // On a busy machine the embedded start (PGlite, the demo people's password hashes) takes a while.
      150_000,
    ),
    chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await x?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('sign-in and access', () => {
  it('refuses wrong passwords, locks the account after five in a row, and needs the CSRF token for changes', async () => {
    const login = (password: string) =>
      fetch(`${app.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@demo.local', password }),
      });
    const ok = await login('demo');
    expect(ok.status).toBe(200);
    const cookies = ok.headers.getSetCookie();
    expect(cookies.find((c) => c.startsWith('klaxon_session='))).toMatch(/HttpOnly/);
    expect(cookies.every((c) => /SameSite=Strict/.test(c))).toBe(true);
    const cookie = cookies.map((c) => c.split(';')[0]).join('; ');
    const { csrfToken } = (await ok.json()) as { csrfToken: string };
    const noToken = await fetch(`${app.url}/api/signals/whatever/dismiss`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { error: { code: string } }).error.code).toBe('csrf-token');
    const logout = await fetch(`${app.url}/api/session`, {
      method: 'DELETE',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    expect(logout.status).toBe(204);
    expect((await fetch(`${app.url}/api/session`, { headers: { cookie } })).status).toBe(401);

    for (let i = 0; i < 4; i++) expect((await login('wrong')).status).toBe(401);
    expect((await login('wrong')).status).toBe(423);
    expect((await login('demo')).status).toBe(423); // locked: even the right password waits

    // An admin lifts the lock (re-enabling a user), and creates people.
    const users = await apiAs<{
      items: Array<{ id: string; email: string; role: string; teamIds: string[] }>;
    }>('GET', '/api/users');
    const admin = users.json.items.find((u) => u.email === 'admin@demo.local')!;
    expect(users.json.items.find((u) => u.email === 'lead@demo.local')?.teamIds).toEqual([
      'billing',
      'customer-service',
      'logistics',
      'product',
      'webcare',
    ]);
    expect((await apiAs('PATCH', `/api/users/${admin.id}`, { disabled: false })).status).toBe(200);
    expect((await login('demo')).status).toBe(200);
    const short = await apiAs<{ error: { field: string } }>('POST', '/api/users', {
      email: 'sem@example.nl',
      name: 'Sem',
      role: 'senior',
      password: 'short',
    });
    expect([short.status, short.json.error.field]).toEqual([400, 'password']);
    const created = await apiAs<{ role: string; teamIds: string[] }>('POST', '/api/users', {
      email: 'sem@example.nl',
      name: 'Sem',
      role: 'senior',
      password: 'a long enough secret',
      memberId: 'm-product-senior',
    });
    expect([created.status, created.json.role, created.json.teamIds]).toEqual([201, 'senior', ['product']]);
    expect(
      (
        await apiAs('POST', '/api/users', {
          email: 'SEM@example.nl',
          name: 'Sem',
          role: 'senior',
          password: 'a long enough secret',
        })
      ).status,
    ).toBe(409);
  });
});

describe('webcare agent', () => {
  it('sees social posts riskiest first with evidence highlighted, and promotes a latent post to a complaint', async () => {
    const signal = await waitFor(
      'the question post as a signal',
      async () => {
        const { json } = await apiAs<{ items: Array<{ id: string; text: string }> }>(
          'GET',
          '/api/signals?channel=social',
        );
        return json.items.find((s) => s.text.includes('Utrecht'));
      },
      60_000,
    );
    const { context, page } = await signIn('webcare@demo.local');
    await page.goto(`${app.url}/console#/queue`);
    const card = page.locator('[data-testid=queue-signal]', { hasText: 'Utrecht' });
    await card.waitFor();
    await expect(card.innerText()).resolves.toContain('@pietk');
    await page.locator('[data-testid=queue-complaint]', { hasText: 'parcel' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid=queue-complaint] mark').count()).toBeGreaterThan(0);
    await shot(page, 'webcare-queue');
    expect(await axe(page)).toEqual([]);

    await card.getByRole('button', { name: /Promote to complaint \(latent\)/ }).click();
    await card.waitFor({ state: 'detached' });
    const promoted = await waitFor('the promoted signal routed', async () => {
      const c = await complaint(signal.id);
      return c.status !== 'signal' && c.owner ? c : undefined;
    });
    expect(promoted.classification?.complaint).toBe('latent');
    expect(promoted.owner?.teamId).toBe('webcare');
    await page.locator('[data-testid=queue-complaint]', { hasText: 'Utrecht' }).waitFor();
    await context.close();
  });
});

describe('handler', () => {
  it('replies to and resolves a complaint they own, and cannot open another team’s', async () => {
    const mine = await submit(
      'The staff at your service desk were rude to me on the phone, I want an apology.',
      'eva@example.nl',
    );
    const other = await submit(
      'My parcel was delivered to the wrong address again, this is the third time. I want a refund.',
      'bram@example.nl',
    );
    const a = await assigned(mine);
    if (a.owner!.id !== 'm-service-1')
      expect(
        (
          await apiAs('POST', `/api/complaints/${mine}/reassign`, {
            reason: 'manual',
            memberId: 'm-service-1',
          })
        ).status,
      ).toBe(200);
    await waitFor('the handler owns it', async () => (await complaint(mine)).owner?.id === 'm-service-1');
    const b = await assigned(other);
    expect(b.owner!.teamId).not.toBe('customer-service');

    const { context, page } = await signIn('handler@demo.local');
    await page.goto(`${app.url}/console#/mine`);
    const row = page.locator(`tr[data-complaint="${mine}"]`);
    await row.waitFor();
    expect(await page.locator(`tr[data-complaint="${other}"]`).count()).toBe(0);
    await shot(page, 'my-complaints');
    expect(await axe(page)).toEqual([]);

    await row.getByRole('link').click();
    await page.getByRole('heading', { name: new RegExp(a.reference) }).waitFor();
    // The taxonomy in words, not slugs: the classification, and the choices a correction offers.
    const category = a.classification!.category;
    expect(await page.locator('dt:text-is("Complaint") + dd').innerText()).toContain(
      `· ${CATEGORY_NAMES[category].en}`,
    );
    await page.locator('summary', { hasText: 'Correct labels' }).click();
    const choices = await page
      .getByRole('form', { name: 'Correct labels' })
      .getByLabel('Category')
      .locator('option')
      .evaluateAll((options) => options.map((o) => [o.getAttribute('value'), o.textContent]));
    expect(choices).toEqual([
      ['', '—'],
      ['delivery', 'Delivery'],
      ['product', 'Product'],
      ['communication', 'Communication'],
      ['price-billing', 'Price & billing'],
      ['staff', 'Staff'],
    ]);
    const reply = page.getByRole('form', { name: 'Reply to the customer' });
    await reply
      .getByLabel('Message')
      .fill('Dear Eva, we are sorry. The team lead of the service desk will call you today.');
    await reply.getByRole('button').click();
    await waitFor(
      'responded',
      async () => ['in-progress', 'acknowledged'].includes((await complaint(mine)).status) || undefined,
    );
    await page
      .locator('.history', { hasText: 'responded' })
      .waitFor()
      .catch(async () => page.locator('.history li').last().waitFor());
    // The conversation: the complaint, the automatic acknowledgement and the reply, with what became of them.
    // Without SMTP the demo's mail catcher keeps the mail: sent, and listed under "Sent mail".
    const thread = page.getByRole('list', { name: 'Conversation' });
    await thread.locator('li[data-kind="reply"] [data-state="sent"]').waitFor();
    expect(
      await thread.locator('li').evaluateAll((li) => li.map((l) => l.getAttribute('data-kind'))),
    ).toEqual(['complaint', 'acknowledgement', 'reply']);
    expect(await thread.locator('li[data-kind="acknowledgement"] [data-testid="delivery"]').innerText()).toBe(
      'Sent · demo mail catcher',
    );
    expect(await thread.locator('li[data-kind="reply"]').innerText()).toContain(
      'The team lead of the service desk',
    );
    expect(await page.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0); // acknowledged already
    await shot(page, 'conversation');
    await page.goto(`${app.url}/console#/sent`);
    const sentMail = page.getByTestId('sent-mail').filter({ hasText: 'The team lead of the service desk' });
    await sentMail.waitFor();
    expect(await sentMail.innerText()).toContain('to eva@example.nl');
    await shot(page, 'sent-mail');
    expect(await axe(page)).toEqual([]);
    await page.goto(`${app.url}/console#/complaint/${mine}`);
    await page.getByRole('heading', { name: new RegExp(a.reference) }).waitFor();
    const resolve = page.getByRole('form', { name: 'Resolve' });
    await resolve.getByLabel('Resolution').fill('Apologised by phone; coaching for the desk staff.');
    await resolve.getByLabel('The complaint was founded').check();
    await resolve.getByRole('button').click();
    await page.getByTestId('status').filter({ hasText: 'resolved' }).waitFor();
    expect((await complaint(mine)).status).toBe('resolved');
    await shot(page, 'complaint-detail');
    expect(await axe(page)).toEqual([]);

    // Another team's complaint: the API says 403 and the screen says so, without its contents.
    const res = await page.request.get(`${app.url}/api/complaints/${other}`);
    expect(res.status()).toBe(403);
    await page.goto(`${app.url}/console#/complaint/${other}`);
    await page.getByRole('alert').filter({ hasText: 'another team' }).waitFor();
    expect(await page.content()).not.toContain('wrong address');

    // Nor the other team's customer (only through complaints of one's own teams).
    const otherCustomer = await waitFor(
      'the other customer linked',
      async () => (await complaint(other)).customerId ?? undefined,
    );
    expect((await page.request.get(`${app.url}/api/customers/${otherCustomer}`)).status()).toBe(403);
    const myCustomer = await waitFor(
      'my customer linked',
      async () => (await complaint(mine)).customerId ?? undefined,
    );
    expect((await page.request.get(`${app.url}/api/customers/${myCustomer}`)).status()).toBe(200);

    // Every read of personal data is in the access log: the handler's reads of their complaint, none of the refused one.
    type Entry = { actor: string; actorKind: string; action: string };
    const reads = (await apiAs<{ items: Entry[] }>('GET', `/api/access-log?subjectId=${mine}`)).json.items;
    expect(reads.some((e) => e.actorKind === 'user' && e.action === 'GET /api/complaints/:id')).toBe(true);
    const refused = (await apiAs<{ items: Entry[] }>('GET', `/api/access-log?subjectId=${other}`)).json.items;
    expect(refused.filter((e) => e.actorKind === 'user')).toEqual([]);
    await context.close();
  });
});

describe('handler (in Dutch): acknowledge and an internal note', () => {
  it('acknowledges a complaint without an e-mail address with the editable template, and adds a note', async () => {
    const { json } = await apiAs<{ id: string }>('POST', '/api/complaints', {
      channel: 'web',
      text: 'De medewerker aan de balie was onbeleefd tegen mij. Ik wil excuses.',
      customer: { name: 'Joop Zonder Mail' },
    });
    const id = json.id;
    const a = await assigned(id);
    if (a.owner!.id !== 'm-service-1')
      expect(
        (await apiAs('POST', `/api/complaints/${id}/reassign`, { reason: 'manual', memberId: 'm-service-1' }))
          .status,
      ).toBe(200);
    await waitFor('the handler owns it', async () => (await complaint(id)).owner?.id === 'm-service-1');
    // No address: the automatic acknowledgement is left to be done by hand, the clock still runs.
    const items = await waitFor('the acknowledgement left by hand', async () => {
      const t = (
        await apiAs<{ items: Array<{ kind: string; delivery?: { state: string } }> }>(
          'GET',
          `/api/complaints/${id}/messages`,
        )
      ).json.items;
      return t.find((i) => i.kind === 'acknowledgement')?.delivery?.state === 'manual' ? t : undefined;
    });
    expect(items.map((i) => i.kind)).toEqual(['complaint', 'acknowledgement']);

    const { context, page } = await signIn('handler@demo.local', 'nl-NL');
    await page.goto(`${app.url}/console#/complaint/${id}`);
    await page.getByRole('heading', { name: new RegExp(a.reference) }).waitFor();
    const thread = page.getByRole('list', { name: 'Gesprek' });
    expect(
      await thread.locator('li[data-kind="acknowledgement"] [data-testid="delivery"]').innerText(),
    ).toContain('Handmatig');
    await page.getByRole('button', { name: 'Ontvangst bevestigen' }).click();
    const text = page.getByLabel('Ontvangstbevestiging aan de klant (pas aan voor verzenden)');
    expect(await text.inputValue()).toContain(`Beste Joop Zonder Mail,`);
    expect(await text.inputValue()).toContain(`referentie ${a.reference}`);
    await text.fill(`${await text.inputValue()}\nWij bellen u vandaag nog.`);
    await shot(page, 'acknowledge-nl');
    expect(await axe(page)).toEqual([]);
    await page.getByRole('button', { name: 'Bevestiging versturen' }).click();
    await page.getByTestId('status').filter({ hasText: 'acknowledged' }).waitFor();
    await thread
      .locator('li[data-kind="acknowledgement"]', { hasText: 'Wij bellen u vandaag nog.' })
      .waitFor();
    expect((await complaint(id)).deadlines.find((d) => d.clock === 'acknowledgement')?.status).toBe('met');

    const note = page.getByRole('form', { name: 'Interne notitie' });
    await note.getByRole('textbox').fill('Klant heeft geen e-mail: terugbellen op het nummer uit het CRM.');
    await note.getByRole('button').click();
    const noted = thread.locator('li[data-kind="note"]');
    await noted.waitFor();
    expect(await noted.innerText()).toContain('alleen voor medewerkers');
    await shot(page, 'conversation-nl');
    expect(await axe(page)).toEqual([]);
    await context.close();
  });
});

describe('team lead', () => {
  it('sees a new complaint appear live, reassigns it, and reads the KPIs and the customer', async () => {
    const { context, page } = await signIn('lead@demo.local');
    await page.goto(`${app.url}/console#/team`);
    await page.getByRole('heading', { name: 'Incoming, live' }).waitFor();
    // Keyboard: the first Tab reaches the skip link, which moves focus to the content.
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.id')).toBe('main');
    const id = await submit(
      'Your invoice charged me twice this month, I demand the money back now.',
      'noor@example.nl',
    );
    const row = page.locator(`tr[data-complaint="${id}"]`).first();
    await row.waitFor({ timeout: 10_000 }); // no reload: it came over the event stream
    const c = await assigned(id);
    expect(await row.locator('.badge.new').count()).toBe(1);
    await shot(page, 'team-lead');
    expect(await axe(page)).toEqual([]);

    const target = await waitFor('another member of the team', async () => {
      const { json } = await apiAs<{ items: Array<{ id: string; teamId: string; active: boolean }> }>(
        'GET',
        `/api/members?teamId=${c.owner!.teamId}`,
      );
      return json.items.find((m) => m.active && m.id !== c.owner!.id);
    });
    await row.getByRole('combobox').selectOption(target.id);
    await row.getByRole('button', { name: /Reassign/ }).click();
    await waitFor('reassigned', async () => (await complaint(id)).owner?.id === target.id);

    await page.goto(`${app.url}/console#/kpis`);
    await page.locator('canvas').first().waitFor();
    await page.getByRole('rowheader', { name: 'web' }).first().waitFor();
    await shot(page, 'kpis');
    expect(await axe(page)).toEqual([]);

    const customerId = await waitFor(
      'the customer linked',
      async () => (await complaint(id)).customerId ?? undefined,
    );
    await page.goto(`${app.url}/console#/customer/${customerId}`);
    await page.getByRole('heading', { name: 'Links and their evidence' }).waitFor();
    await page
      .getByRole('cell', { name: /noor@example.nl/ })
      .first()
      .waitFor();
    await shot(page, 'customer');
    expect(await axe(page)).toEqual([]);

    // Dutch, switchable.
    await page.getByLabel('Language').selectOption('nl');
    await page.getByRole('link', { name: 'Mijn klachten' }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('nl');
    await page
      .getByRole('cell', { name: CATEGORY_NAMES[c.classification!.category].nl, exact: true })
      .first()
      .waitFor();
    await context.close();
  });
});

describe('senior', () => {
  it('sees a low-CSAT follow-up in My complaints and completes it within its clock', async () => {
    const id = await submit(
      'The man at your service desk was rude to me and laughed at my question. I expect an apology.',
      'floor@example.nl',
    );
    const a = await assigned(id);
    if (a.owner!.teamId !== 'customer-service')
      expect(
        (await apiAs('POST', `/api/complaints/${id}/reassign`, { reason: 'manual', memberId: 'm-service-1' }))
          .status,
      ).toBe(200);
    await waitFor(
      'in customer service',
      async () => (await complaint(id)).owner?.teamId === 'customer-service',
    );
    const act = (body: unknown) => apiAs('POST', `/api/complaints/${id}/actions`, body).then((r) => r.status);
    expect(await act({ action: 'resolve', founded: true, resolution: 'Apologised by phone.' })).toBe(200);
    expect(await act({ action: 'csat', score: 2, comment: 'Still feels dismissive.' })).toBe(200);
    // The router gives the follow-up to the team's senior; its clock runs.
    await waitFor('the follow-up for the senior, with its clock', async () => {
      const c = await complaint(id);
      return (
        c.followUps[0]?.owner?.id === 'm-service-senior' &&
        c.deadlines.some((d) => d.clock === 'csat-follow-up' && d.status === 'running')
      );
    });

    const { context, page } = await signIn('senior@demo.local');
    await page.goto(`${app.url}/console#/mine`);
    const row = page.locator(`tr[data-follow-up="${id}"]`);
    await row.waitFor();
    expect(await row.locator('.clock').innerText()).toMatch(/^follow-up: .* left/);
    await shot(page, 'my-follow-ups');
    expect(await axe(page)).toEqual([]);

    await row.getByRole('link').click();
    const form = page.getByRole('form', { name: 'Record the follow-up' });
    await form.waitFor();
    await form.getByLabel('Offered a remedy').check();
    await form.getByLabel('Note').fill('Called Floor: apologised again and sent a €15 voucher.');
    await form.getByRole('button', { name: 'Record the follow-up' }).click();
    const done = await waitFor('the follow-up done, its clock met', async () => {
      const c = await complaint(id);
      return c.followUps[0]?.status === 'completed' &&
        c.deadlines.find((d) => d.clock === 'csat-follow-up')?.status === 'met'
        ? c
        : undefined;
    });
    expect(done.followUps[0].outcome).toBe('remedy-offered');
    await page.getByTestId('follow-up').getByText('Offered a remedy').waitFor();
    await shot(page, 'follow-up');
    expect(await axe(page)).toEqual([]);
    await context.close();
  });
});

describe('team lead: root causes', () => {
  it('works a root-cause review from trigger to recorded cause, and informs a spike’s complainants in one click (in Dutch)', async () => {
    const texts = [
      'Mijn nieuwe waterkoker lekt al na twee dagen en de schakelaar is kapot.',
      'The kettle I bought last week is leaking and the switch broke, the product is faulty.',
      'Waterkoker defect: lekt onderaan en slaat niet meer aan. Slecht product.',
      'My new kettle stopped working after three days, it leaks water on the counter. Defective product.',
      'De waterkoker die ik kocht is kapot, hij lekt en de knop werkt niet.',
      'Kettle broken after one use, leaking from the bottom. Poor quality product.',
    ];
    const ids = [];
    for (const [i, text] of texts.entries()) ids.push(await submit(text, `kettle${i}@example.nl`));
    await Promise.all(ids.map(assigned));
    const mine = new Set(ids);
    const open = (kind: string) =>
      waitFor(
        `an open ${kind} of these complaints`,
        async () =>
          (
            await apiAs<{ items: RootCauseItem[] }>('GET', `/api/root-cause-items?kind=${kind}&status=open`)
          ).json.items.find((i) => i.complaintIds.some((c) => mine.has(c))),
        60_000,
      );
    const review = await open('review');
    expect(review.owner?.id).toBe('m-lead');

    const { context, page } = await signIn('lead@demo.local', 'nl-NL');
    await page.goto(`${app.url}/console#/reviews`);
    await page.getByRole('heading', { name: 'Oorzaakanalyses' }).first().waitFor();
    const row = page.locator(`tr[data-item="${review.id}"]`);
    await row.waitFor();
    await shot(page, 'root-causes');
    expect(await axe(page)).toEqual([]);

    await row.getByRole('link').click();
    const form = page.getByRole('form', { name: 'Oorzaak vastleggen' });
    await form.waitFor();
    expect(await page.locator('tr[data-complaint]').count()).toBeGreaterThanOrEqual(3);
    await form
      .getByLabel('Gevonden oorzaak')
      .fill('Een nieuwe leverancier van afdichtingsringen; die scheuren bij kookhitte.');
    await form
      .getByLabel('Genomen maatregel')
      .fill('Partij teruggeroepen, terug naar de vorige leverancier.');
    await form.getByLabel('De klachten waren gegrond').check();
    await form.getByRole('button', { name: 'Oorzaak vastleggen' }).click();
    await page.getByTestId('cause').filter({ hasText: 'afdichtingsringen' }).waitFor();
    const concluded = await apiAs<{ status: string; conclusion: { founded: boolean } }>(
      'GET',
      `/api/root-cause-items/${review.id}`,
    );
    expect([concluded.json.status, concluded.json.conclusion.founded]).toEqual(['completed', true]);
    await shot(page, 'root-cause-review');
    expect(await axe(page)).toEqual([]);

    // Six of a kind in a day: a spike, proposed as an incident; its complainants are informed in one click.
    const spike = await open('spike');
    await page.goto(`${app.url}/console#/review/${spike.id}`);
    const inform = page.getByRole('form', { name: 'Klagers informeren' });
    await inform.waitFor();
    await inform
      .getByLabel('Eigen toelichting (optioneel)')
      .fill('Wij ruilen elke waterkoker uit deze partij kosteloos om.');
    await inform.getByRole('button', { name: /^Klagers informeren/ }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Klagers informeren: \d+ in de wachtrij/ })
      .waitFor();
    const informed = await waitFor('the notices queued', async () => {
      const { json } = await apiAs<{ notices: Record<string, number> }>(
        'GET',
        `/api/root-cause-items/${spike.id}`,
      );
      const n = Object.values(json.notices).reduce((a, b) => a + b, 0);
      return n > 0 && n;
    });
    expect(informed).toBeGreaterThanOrEqual(texts.length - 1);
    await shot(page, 'spike');
    expect(await axe(page)).toEqual([]);
    await context.close();
  });
});

describe('a team lead searching', () => {
  it('finds a complaint by a word of its text and by its reference, in English and in Dutch', async () => {
    const id = await submit(
      'De stofzuigerzak scheurde bij het eerste gebruik en jullie klantenservice reageert niet.',
      'wim@example.nl',
    );
    const c = await assigned(id);
    const { context, page } = await signIn('lead@demo.local');
    await page.goto(`${app.url}/console#/team`);
    await page.locator('h1').waitFor();
    await page.keyboard.press('/'); // the shortcut opens search with the box focused
    const box = page.getByLabel('Search complaints');
    await box.waitFor();
    await box.fill('stofzuigerzakken'); // another form of a word in the text: Dutch stemming
    await box.press('Enter');
    await page.locator(`tr[data-complaint="${id}"]`).waitFor();
    await shot(page, 'search');
    expect(await axe(page)).toEqual([]);

    await page.getByLabel('Language').selectOption('nl');
    const zoek = page.getByLabel('Klachten zoeken');
    await zoek.fill(c.reference);
    await zoek.press('Enter');
    await page.getByRole('table', { name: /^Resultaten \(1 \/ 1\)/ }).waitFor();
    await page.locator(`tr[data-complaint="${id}"]`).waitFor();
    // Sorted by risk with badges: the critical legal threat in the same words comes first, marked as such.
    const threat = await submit(
      'De stofzuigerzak scheurde weer en de motor raakte oververhit, er kwam rook uit. Mijn advocaat stuurt jullie een ingebrekestelling.',
      'wim2@example.nl',
    );
    await assigned(threat);
    await zoek.fill('stofzuigerzak');
    await zoek.press('Enter');
    await page.getByRole('table', { name: /^Resultaten \(2 \/ 2\)/ }).waitFor();
    const first = page.locator('tbody tr').first();
    expect(await first.getAttribute('data-complaint')).toBe(threat);
    expect(await first.locator('.badge.threat').allInnerTexts()).toEqual([
      'Juridische dreiging',
      'Veiligheid',
    ]);
    await shot(page, 'search-nl');
    expect(await axe(page)).toEqual([]);
    await zoek.fill('koffiezetapparaat');
    await zoek.press('Enter');
    await page.getByText('Geen klacht gevonden.').waitFor();
    expect(await axe(page)).toEqual([]);
    await context.close();
  });
});
