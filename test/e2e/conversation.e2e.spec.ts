import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { SMTPServer } from 'smtp-server';
import { ComplaintClassifiedEvent, complaintIdFor, encodeEvent } from '@klaxon/contracts';
import { CasesModule } from '@klaxon/cases/feature';
import { ClassificationModule } from '@klaxon/classification/feature';
import { EmailIngestModule, mailboxesFromEnv } from '@klaxon/ingest-email/feature';
import { SocialIngestModule } from '@klaxon/ingest-social/feature';
import { IntakeModule } from '@klaxon/intake/feature';
import { loadRuntimeConfig } from '@klaxon/platform/config';
import {
  connectInfrastructure,
  startApp,
  type Infrastructure,
  type RunningApp,
} from '@klaxon/platform/runtime';
import { RoutingModule } from '@klaxon/routing/feature';
import {
  startAppProcess,
  startDovecot,
  startFakeXApi,
  startKafkaMockCluster,
  startPostgresCluster,
  type AppProcess,
  type FakeXApi,
  type KafkaMockCluster,
  type PostgresCluster,
  type RunningDovecot,
} from '@klaxon/testing';
import { waitFor } from '../support/wait-for';

// The conversation with the customer on real parts: intake, classifier, router, cases and e-mail
// ingest (Dovecot) in one app; the sla stage — which sends — as its own process, so it can crash;
// a real SMTP server; the local X API. Kafka is the mock cluster, PostgreSQL a throwaway cluster.
jest.setTimeout(300_000);

const KEY = 'conversation-key-0123456789abcdefghijklmnop';
const HELD = 'crash@klant.example';

type Mail = { to: string[]; raw: string };
type ThreadItem = {
  direction: string;
  kind: string;
  channel: string;
  text: string;
  delivery?: { state: string; reason: string | null; messageId: string | null; externalId: string | null };
};

let pg: PostgresCluster;
let kafka: KafkaMockCluster;
let dv: RunningDovecot;
let x: FakeXApi;
let smtp: { port: number; mails: Mail[]; held: Array<() => void>; stop(): Promise<void> };
let infra: Infrastructure;
let app: RunningApp;
let sla: AppProcess;
let slaEnv: Record<string, string>;
let db: Pool;
const dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-conversation-'));

/** A real SMTP server; mail to HELD is kept but never answered (the sender is mid-send until it dies). */
async function startSmtp(): Promise<typeof smtp> {
  const mails: Mail[] = [];
  const held: Array<() => void> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        mails.push({ to, raw: Buffer.concat(chunks).toString('utf8') });
        if (to.includes(HELD)) held.push(() => callback());
        else callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    held,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function call<T = Record<string, unknown>>(
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  const res = await fetch(`${app.url}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${KEY}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
}

const thread = async (id: string) =>
  (await call<{ items: ThreadItem[] }>('GET', `/api/complaints/${id}/messages`)).json.items;
const complaint = async (id: string) =>
  (await db.query('SELECT * FROM complaints WHERE id = $1', [id])).rows[0] as
    Record<string, unknown> | undefined;
const mailsTo = (address: string) => smtp.mails.filter((m) => m.to.includes(address));
const header = (raw: string, name: string) =>
  new RegExp(`^${name}: *(.*(?:\\r\\n[ \\t].*)*)`, 'im')
    .exec(raw)?.[1]
    .replace(/\r\n[ \t]+/g, ' ')
    .trim();
const act = (id: string, body: unknown) =>
  call<{ status: string; delivery?: string }>('POST', `/api/complaints/${id}/actions`, body);

async function submitWeb(email: string, name: string): Promise<{ id: string; reference: string }> {
  const res = await call<{ id: string; reference: string }>('POST', '/api/complaints', {
    channel: 'web',
    subject: 'Pakket niet bezorgd',
    text: 'Mijn pakket is al voor de derde keer niet bezorgd en niemand neemt contact met mij op. Ik wil mijn geld terug.',
    customer: { name, email },
  });
  expect(res.status).toBe(202);
  return res.json;
}

beforeAll(async () => {
  [pg, kafka, dv, x, smtp] = await Promise.all([
    startPostgresCluster(),
    startKafkaMockCluster({ brokers: 1 }),
    startDovecot(),
    startFakeXApi(),
    startSmtp(),
  ]);
  writeFileSync(path.join(dir, 'imap-ca.pem'), dv.ca);
  const databaseUrl = await pg.createDatabase('conversation');
  const config = loadRuntimeConfig({
    DATABASE_URL: databaseUrl,
    ...kafka.appEnv,
    LOG_LEVEL: 'silent',
    API_KEYS: `conversation:${KEY}:*`,
  });
  infra = await connectInfrastructure({ service: 'conversation-test', config });
  app = await startApp({
    service: 'conversation',
    infrastructure: infra,
    features: [
      IntakeModule,
      CasesModule,
      ClassificationModule.forRoot({}),
      RoutingModule.forRoot({}),
      EmailIngestModule.forRoot({
        mailboxes: mailboxesFromEnv({
          IMAP_HOST: dv.host,
          IMAP_PORT: String(dv.tlsPort),
          IMAP_SECURE: 'tls',
          IMAP_USER: dv.user,
          IMAP_PASSWORD: dv.password,
          IMAP_TLS_CA_FILE: path.join(dir, 'imap-ca.pem'),
        }),
      }),
      SocialIngestModule.forRoot({
        x: { bearerToken: x.bearerToken, query: '@KlaxonBank', baseUrl: x.baseUrl, ca: x.ca },
        pollIntervalMs: 1_000,
        resweepDelayMs: 0,
      }),
    ],
    http: { port: 0, host: '127.0.0.1' },
    apiKeys: config.apiKeys,
  });
  slaEnv = {
    ...kafka.appEnv,
    DATABASE_URL: databaseUrl,
    SLA_SCAN_INTERVAL_MS: '200',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    SMTP_FROM: 'Klantenservice <klantenservice@klaxon.example>',
    X_REPLY_ACCESS_TOKEN: x.userToken,
    X_API_BASE_URL: x.baseUrl,
    NODE_EXTRA_CA_CERTS: x.caFile,
    MESSAGE_SEND_LEASE_MS: '4000',
  };
  sla = await startAppProcess('sla', slaEnv);
  db = new Pool({ connectionString: databaseUrl, max: 3 });
  db.on('error', () => undefined);
});

afterAll(async () => {
  for (const release of smtp?.held ?? []) release();
  await sla?.stop();
  await db?.end();
  await app?.stop();
  await Promise.all([pg?.stop(), kafka?.stop(), dv?.stop(), x?.stop(), smtp?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('e-mail: acknowledgement, a threaded reply, the customer answers', () => {
  let id: string;
  let reference: string;
  let ack: Mail;
  let reply: Mail;

  it('acknowledges a web complaint with an e-mail address in a real SMTP server, with the reference', async () => {
    ({ id, reference } = await submitWeb('anna@klant.example', 'Anna de Vries'));
    ack = await waitFor('the acknowledgement mail', async () => mailsTo('anna@klant.example')[0], 90_000);
    expect(header(ack.raw, 'Subject')).toContain(reference);
    expect(ack.raw).toContain(`referentie ${reference}`);
    expect(header(ack.raw, 'Message-ID')).toMatch(
      new RegExp(`^<[0-9a-f]+\\.${reference.toLowerCase()}@klaxon\\.example>$`),
    );
    const items = await waitFor('the acknowledgement sent in the thread', async () => {
      const t = await thread(id);
      return t.some((i) => i.kind === 'acknowledgement' && i.delivery?.state === 'sent') ? t : undefined;
    });
    expect(items[0]).toMatchObject({ direction: 'inbound', kind: 'complaint', channel: 'web' });
    expect(items.find((i) => i.kind === 'acknowledgement')!.delivery!.messageId).toBe(
      header(ack.raw, 'Message-ID'),
    );
    expect((await complaint(id))!.acknowledged_at).not.toBeNull();
  });

  it('sends the handler’s reply threaded under the acknowledgement', async () => {
    await waitFor('the complaint assigned', async () => (await complaint(id))?.owner_id);
    const res = await act(id, {
      action: 'reply',
      message: 'Wij zoeken uit waar uw pakket is. Heeft u het trackingnummer?',
    });
    expect(res).toMatchObject({ status: 200, json: { delivery: 'email' } });
    reply = await waitFor('the reply mail', async () => mailsTo('anna@klant.example')[1]);
    const ackId = header(ack.raw, 'Message-ID')!;
    expect(header(reply.raw, 'In-Reply-To')).toBe(ackId);
    expect(header(reply.raw, 'References')).toContain(ackId);
    expect(header(reply.raw, 'Subject')).toContain(reference);
    expect(reply.raw).toContain('trackingnummer');
  });

  it('resumes the clocks when the customer answers through the mailbox, and shows the answer in the thread', async () => {
    expect((await act(id, { action: 'wait-on-customer' })).status).toBe(200);
    await waitFor('the resolution clock paused', async () => {
      const { rows } = await db.query(
        `SELECT status FROM sla_clocks WHERE complaint_id = $1 AND clock = 'resolution'`,
        [id],
      );
      return rows[0]?.status === 'paused';
    });
    const replyId = header(reply.raw, 'Message-ID')!;
    await dv.deliver(
      [
        'From: Anna de Vries <anna@klant.example>',
        'To: klantenservice@klaxon.example',
        `Subject: Re: ${header(reply.raw, 'Subject')}`,
        'Message-ID: <answer-1@klant.example>',
        `In-Reply-To: ${replyId}`,
        `References: ${header(reply.raw, 'References')} ${replyId}`,
        '',
        'Het trackingnummer is 3SKLX123456789.',
        '',
      ].join('\r\n'),
    );
    await waitFor(
      'the clocks running again',
      async () => {
        const { rows } = await db.query(
          `SELECT status FROM sla_clocks WHERE complaint_id = $1 AND clock = 'resolution'`,
          [id],
        );
        return rows[0]?.status === 'running';
      },
      60_000,
    );
    expect((await complaint(id))!.status).toBe('in-progress');
    const items = await waitFor('the answer in the thread', async () => {
      const t = await thread(id);
      return t.some((i) => i.kind === 'customer-message') ? t : undefined;
    });
    // Oldest first; a mail's own date has whole seconds, so the answer may share its second with our reply.
    expect(items.map((i) => i.kind).slice(0, 2)).toEqual(['complaint', 'acknowledgement']);
    expect(items.map((i) => i.kind).sort()).toEqual([
      'acknowledgement',
      'complaint',
      'customer-message',
      'reply',
    ]);
    expect(items.find((i) => i.kind === 'customer-message')).toMatchObject({
      direction: 'inbound',
      channel: 'email',
      text: expect.stringContaining('3SKLX123456789'),
    });
  });
});

describe('X: a promoted latent post gets a public reply, and the customer answers under it', () => {
  it('posts the handler’s reply under the customer’s post on X', async () => {
    x.addUser({ id: 'u77', username: 'KeesK', name: 'Kees', followers: 300 });
    x.push(
      { id: '7001', text: '@KlaxonBank de app doet het weer eens niet', authorId: 'u77', lang: 'nl' },
      { stream: false },
    );
    const id = complaintIdFor('social', 'x:7001');
    const receivedAt = new Date().toISOString();
    await db.query(
      `INSERT INTO complaints (id, channel, source_id, status, received_at, text, customer, channel_meta, language, complaint_label, category, priority, classified_at, correlation_id)
       VALUES ($1, 'social', 'x:7001', 'classified', $2, '@KlaxonBank de app doet het weer eens niet', '{"name":"Kees","handle":"keesk"}', $3, 'nl', 'none', 'product', 'normal', $2, $1)`,
      [
        id,
        receivedAt,
        JSON.stringify({
          social: {
            network: 'x',
            postId: '7001',
            authorId: 'u77',
            handle: 'keesk',
            followers: 300,
            url: 'https://x.com/KeesK/status/7001',
          },
        }),
      ],
    );
    await infra.bus.publish([
      encodeEvent(ComplaintClassifiedEvent, {
        complaintId: id,
        channel: 'social',
        receivedAt,
        classifiedAt: receivedAt,
        language: 'nl',
        complaint: 'none',
        complaintProbability: 0.4,
        category: 'product',
        categoryProbability: 0.6,
        priority: 'normal',
        priorityReasons: [],
        sentiment: -0.3,
        why: ['test'],
        reputationalRisk: false,
        modelVersion: 'test-1',
        customer: { name: 'Kees', handle: 'keesk' },
      }),
    ]);
    await waitFor(
      'the post kept as a signal',
      async () => (await complaint(id))?.status === 'signal',
      60_000,
    );
    expect((await call('POST', `/api/signals/${id}/promote`, { label: 'latent' })).status).toBe(200);
    await waitFor('the promoted post routed', async () => (await complaint(id))?.owner_id);

    const tooLong = await act(id, { action: 'reply', message: 'x'.repeat(281) });
    expect(tooLong).toMatchObject({
      status: 400,
      json: { error: { code: 'too-long-for-x', field: 'message' } },
    });
    const text = 'Vervelend Kees! We kijken er direct naar. Stuur ons gerust een DM met je klantnummer.';
    expect(await act(id, { action: 'reply', message: text, mode: 'public' })).toMatchObject({
      status: 200,
      json: { delivery: 'x' },
    });
    const posted = await waitFor(
      'the public reply on X',
      async () => x.sent().find((s) => s.text === text),
      60_000,
    );
    expect(posted).toMatchObject({ kind: 'post', inReplyTo: '7001', auth: 'bearer' });
    const items = await waitFor('the reply delivered in the thread', async () => {
      const t = await thread(id);
      return t.some((i) => i.kind === 'reply' && i.delivery?.state === 'delivered') ? t : undefined;
    });
    expect(items.find((i) => i.kind === 'reply')).toMatchObject({
      channel: 'x',
      delivery: { externalId: posted.id },
    });

    // The customer answers under our reply: their answer on this complaint (clocks resume), not a new complaint.
    expect((await act(id, { action: 'wait-on-customer' })).status).toBe(200);
    await waitFor('the resolution clock paused', async () => {
      const { rows } = await db.query(
        `SELECT status FROM sla_clocks WHERE complaint_id = $1 AND clock = 'resolution'`,
        [id],
      );
      return rows[0]?.status === 'paused';
    });
    await x.waitForStreams(1, 60_000);
    x.push({
      id: '7003',
      text: '@KlaxonBank klantnummer 445566, dank jullie',
      authorId: 'u77',
      lang: 'nl',
      conversationId: '7001',
      referencedTweets: [{ type: 'replied_to', id: posted.id }],
    });
    await waitFor(
      'the clocks running again',
      async () => {
        const { rows } = await db.query(
          `SELECT status FROM sla_clocks WHERE complaint_id = $1 AND clock = 'resolution'`,
          [id],
        );
        return rows[0]?.status === 'running';
      },
      60_000,
    );
    const answered = await thread(id);
    expect(answered.find((i) => i.kind === 'customer-message')).toMatchObject({
      direction: 'inbound',
      kind: 'customer-message',
      channel: 'social',
    });
    expect(answered.find((i) => i.kind === 'customer-message')!.text).toContain('445566');
    expect(await complaint(complaintIdFor('social', 'x:7003'))).toBeUndefined();
  });
});

describe('exactly once: a crash between sending and sent', () => {
  it('never sends the message a second time after the sender died mid-send', async () => {
    const { id } = await submitWeb(HELD, 'Carla Crash');
    await waitFor(
      'the acknowledgement in the SMTP server, unanswered',
      async () => smtp.held.length === 1,
      90_000,
    );
    const before = (
      await db.query(`SELECT status, message_id FROM customer_messages WHERE complaint_id = $1`, [id])
    ).rows;
    expect(before).toEqual([
      expect.objectContaining({ status: 'sending', message_id: expect.stringMatching(/^</) }),
    ]);
    await sla.kill();
    sla = await startAppProcess('sla', slaEnv);
    const failed = await waitFor(
      'the message marked in doubt',
      async () => {
        const t = await thread(id);
        const ack = t.find((i) => i.kind === 'acknowledgement');
        return ack?.delivery?.state === 'failed' ? ack : undefined;
      },
      60_000,
    );
    expect(failed.delivery!.reason).toMatch(/in doubt/);
    // The next message after the restart goes out once, as usual.
    const next = await submitWeb('bert@klant.example', 'Bert');
    await waitFor(
      'the next acknowledgement sent',
      async () =>
        (await thread(next.id)).find((i) => i.kind === 'acknowledgement')?.delivery?.state === 'sent',
      90_000,
    );
    expect(mailsTo('bert@klant.example')).toHaveLength(1);
    expect(mailsTo(HELD)).toHaveLength(1);
  });
});
