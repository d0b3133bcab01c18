import { readdirSync } from 'node:fs';
import { ImapFlow } from 'imapflow';
import type { DataSource } from 'typeorm';
import { complaintIdFor } from '@klaxon/contracts';
import { referenceOf } from '@klaxon/ingest-email/domain';
import { InProcessMessageBus, type ConsumedEvent } from '@klaxon/platform/messaging';
import { createMetricsRegistry, silentLogger, type Registry } from '@klaxon/platform/observability';
import { OutboxRelay, createDataSource, runMigrations } from '@klaxon/platform/persistence';
import {
  startDovecot,
  startPostgresCluster,
  type PostgresCluster,
  type RunningDovecot,
} from '@klaxon/testing';
import { CustomerMessagesService } from './customer-messages.service';
import type { MailboxConfig } from './email-ingest.options';
import { emailMetrics, type EmailMetrics } from './email-metrics';
import { EmailStore } from './email-store';
import { MailboxWorker } from './mailbox-worker';
import { BusCollector, FIXTURES, fixture, mail, mailboxConfig, waitFor } from '../testing';

// Real Dovecot on loopback, real PostgreSQL, the in-process bus; the Kafka variant is email-ingest.kafka.int.spec.ts.
jest.setTimeout(120_000);

let pg: PostgresCluster;
let ds: DataSource;
let dv: RunningDovecot;
let bus: InProcessMessageBus;
let relay: OutboxRelay;
let registry: Registry;
let metrics: EmailMetrics;
const collector = new BusCollector();
const workers: MailboxWorker[] = [];

beforeAll(async () => {
  [pg, dv] = await Promise.all([startPostgresCluster(), startDovecot()]);
  ds = createDataSource({ url: await pg.createDatabase('email_ingest'), poolMax: 4 });
  await ds.initialize();
  await runMigrations(ds);
  bus = new InProcessMessageBus({ logger: silentLogger });
  await collector.start(bus, 'test-collector');
  // Mails are registered through the outbox; the relay hands them to the bus, as in the apps.
  relay = new OutboxRelay({ dataSource: ds, bus, logger: silentLogger, idleDelayMs: 50 });
  relay.start();
  registry = createMetricsRegistry('email-test');
  metrics = emailMetrics(registry);
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

afterAll(async () => {
  await relay?.stop();
  await collector.stop();
  await bus?.close();
  await ds?.destroy();
  await Promise.all([pg?.stop(), dv?.stop()]);
});

function worker(over: Partial<MailboxConfig> & { folder: string }): MailboxWorker {
  const w = new MailboxWorker(
    mailboxConfig({ host: dv.host, port: dv.port, user: dv.user, password: dv.password, ca: dv.ca, ...over }),
    {
      store: new EmailStore(ds),
      logger: silentLogger,
      metrics,
      clock: { now: () => new Date() },
    },
  );
  workers.push(w);
  w.start();
  return w;
}

async function handledCount(mailbox: string): Promise<number> {
  const [{ n }] = (await ds.query('SELECT count(*)::int AS n FROM email_messages WHERE mailbox = $1', [
    mailbox,
  ])) as Array<{ n: number }>;
  return n;
}

async function unseen(folder: string): Promise<number[]> {
  const client = new ImapFlow({
    host: dv.host,
    port: dv.port,
    secure: false,
    auth: { user: dv.user, pass: dv.password },
    logger: false,
    tls: { ca: [dv.ca] },
  });
  await client.connect();
  try {
    await client.mailboxOpen(folder);
    return (await client.search({ seen: false }, { uid: true })) || [];
  } finally {
    await client.logout();
  }
}

async function createFolder(folder: string): Promise<void> {
  const client = new ImapFlow({
    host: dv.host,
    port: dv.port,
    secure: false,
    auth: { user: dv.user, pass: dv.password },
    logger: false,
    tls: { ca: [dv.ca] },
  });
  await client.connect();
  await client.mailboxCreate(folder);
  await client.logout();
}

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const m = (await registry.getSingleMetric(name)!.get()).values;
  return m
    .filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))
    .reduce((s, v) => s + v.value, 0);
}

describe('email ingest against Dovecot', () => {
  it('turns the fixture set into complaints over implicit TLS: charsets, encoded words, HTML made safe, attachments as metadata', async () => {
    const files = readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.eml'))
      .sort((a, b) => (a === 'reply.eml' ? 1 : b === 'reply.eml' ? -1 : a.localeCompare(b)));
    for (const f of files) await dv.deliver(fixture(f), 'Fixtures');
    const w = worker({ folder: 'Fixtures', secure: 'tls', port: dv.tlsPort });
    const name = w.config.name;
    await waitFor('all fixtures handled', async () => (await handledCount(name)) === files.length);
    // Recorded is not yet relayed: the events reach the bus from the outbox a moment later.
    await waitFor(
      'the complaints and the reply on the bus',
      () => collector.complaintsIn(name).length >= files.length - 4 && collector.messagesIn(name).length >= 1,
    );

    const byId = new Map(
      collector.complaintsIn(name).map((e) => [e.data.email?.messageId ?? e.data.sourceId, e.data]),
    );
    expect(collector.complaintsIn(name)).toHaveLength(files.length - 4); // minus 2 out-of-office, 1 bounce, 1 reply
    expect(byId.get('plain-1@klant.example')).toMatchObject({
      channel: 'email',
      subject: 'Pakket voor de derde keer niet bezorgd',
      customer: { name: 'Anna de Vries', email: 'anna@klant.example' },
      receivedAt: '2026-11-24T08:15:00.000Z',
    });
    expect(byId.get('plain-1@klant.example')!.complaintId).toBe(
      complaintIdFor('email', `${name}#mid:plain-1@klant.example`),
    );
    expect(byId.get('latin1-1@klant.example')).toMatchObject({
      subject: 'Crème brûlée was bedorven',
      customer: { name: 'Renée Müller' },
    });
    expect(byId.get('latin1-1@klant.example')!.text).toContain('één keer is genoeg');
    expect(byId.get('cp1252-1@klant.example')!.text).toBe(
      'Mijn abonnement kost opeens €12 meer – zonder “enige” aankondiging.',
    );
    expect(byId.get('jp-1@klant.example')).toMatchObject({
      subject: '配達の遅延について',
      text: '荷物がまだ届いていません。至急確認してください。',
    });
    expect(byId.get('ew-1@klant.example')).toMatchObject({
      subject: 'Klacht over bezorging – één keer te vaak à la porte',
      customer: { name: 'Élise Günther' },
    });
    expect(byId.get('html-only-1@klant.example')!.text).toContain(
      'Mijn factuur van november is € 45 te hoog.',
    );
    expect(byId.get('attach-1@klant.example')!.email!.attachments).toEqual([
      { filename: 'pakbon.pdf', contentType: 'application/pdf', size: expect.any(Number) },
      { filename: 'foto.png', contentType: 'image/png', size: expect.any(Number) },
    ]);
    expect(byId.get('fwd-1@klant.example')!.email!.attachments[0]).toMatchObject({
      contentType: 'message/rfc822',
    });
    const script = byId.get('script-1@evil.example')!;
    expect(script.text).toContain('Mijn bestelling is nooit aangekomen.');
    expect(`${script.subject} ${script.text}`).not.toMatch(/<\s*(script|img|iframe|a)\b/i);
    expect(byId.get('broken-1@klant.example')!.text).toContain('De app crasht');
    expect(byId.get('charset-1@klant.example')!.text).toContain('De wasmachine lekt');
    const noId = collector.complaintsIn(name).find((e) => e.data.subject === 'Geen Message-ID')!;
    expect(noId.data.sourceId).toMatch(new RegExp(`^${name.replace(/[/.]/g, '\\$&')}#uid:\\d+:\\d+$`));

    // The reply in the same mailbox is linked to the complaint it answers, not a new complaint.
    expect(collector.messagesIn(name)).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({
          complaintId: byId.get('plain-1@klant.example')!.complaintId,
          matchedBy: 'in-reply-to',
        }),
      }),
    ]);
    // Out-of-office replies and the bounce are recorded with the reason, not turned into complaints.
    const ignored = (await ds.query(
      `SELECT message_id, disposition, reason FROM email_messages WHERE mailbox = $1 AND disposition IN ('auto-reply', 'bounce') ORDER BY message_id`,
      [name],
    )) as Array<{ message_id: string; disposition: string; reason: string }>;
    expect(ignored).toEqual([
      {
        message_id: 'bounce-1@mx.example.nl',
        disposition: 'bounce',
        reason: expect.stringContaining('delivery-status'),
      },
      {
        message_id: 'ooo-1@klant.example',
        disposition: 'auto-reply',
        reason: 'Auto-Submitted: auto-replied',
      },
      {
        message_id: 'ooo-2@klant.example',
        disposition: 'auto-reply',
        reason: expect.stringContaining('x-autoreply'),
      },
    ]);
    expect(await unseen('Fixtures')).toEqual([]);
    expect(await metric('klaxon_email_messages_total', { mailbox: name, outcome: 'complaint' })).toBe(
      files.length - 4,
    );
  });

  it('connects with STARTTLS and in plain text, and moves processed mail where configured', async () => {
    await dv.deliver(mail({ id: 'st-1@klant.example', subject: 'via starttls' }), 'StartTls');
    await dv.deliver(mail({ id: 'pl-1@klant.example', subject: 'via plain' }), 'PlainText');
    const a = worker({ folder: 'StartTls', secure: 'starttls' });
    const b = worker({ folder: 'PlainText', secure: 'none', moveTo: 'Done' });
    await waitFor(
      'both mails',
      () =>
        collector.complaintsIn(a.config.name).length === 1 &&
        collector.complaintsIn(b.config.name).length === 1,
    );
    await waitFor('handled', async () => (await handledCount(b.config.name)) === 1);
    const client = new ImapFlow({
      host: dv.host,
      port: dv.port,
      secure: false,
      auth: { user: dv.user, pass: dv.password },
      logger: false,
      tls: { ca: [dv.ca] },
    });
    await client.connect();
    const plain = await client.status('PlainText', { messages: true });
    const done = await client.status('Done', { messages: true });
    await client.logout();
    expect([plain && plain.messages, done && done.messages]).toEqual([0, 1]);
  });

  it('picks up mail arriving while idle through IDLE (the fallback poll is 10 minutes away), and links a later reply', async () => {
    await createFolder('Idle');
    const w = worker({ folder: 'Idle', pollIntervalMs: 600_000 });
    await waitFor(
      'connected and idle',
      async () =>
        w.connected &&
        (await ds.query('SELECT 1 FROM email_mailbox_state WHERE mailbox = $1', [w.config.name])).length ===
          1,
    );
    await new Promise((r) => setTimeout(r, 500));
    await dv.deliver(mail({ id: 'idle-1@klant.example', subject: 'Nog steeds geen internet' }), 'Idle');
    await waitFor('pushed complaint', () => collector.complaintsIn(w.config.name).length === 1, 15_000);
    const complaintId = collector.complaintsIn(w.config.name)[0].data.complaintId;

    await dv.deliver(
      mail({
        id: 'idle-2@klant.example',
        subject: 'Re: Nog steeds geen internet',
        headers: { 'In-Reply-To': '<idle-1@klant.example>', References: '<idle-1@klant.example>' },
      }),
      'Idle',
    );
    await dv.deliver(
      mail({
        id: 'idle-3@klant.example',
        subject: `Re: uw klacht ${referenceOf(complaintId)}`,
        body: 'Zie mijn eerdere klacht.',
      }),
      'Idle',
    );
    await waitFor('two linked replies', () => collector.messagesIn(w.config.name).length === 2, 15_000);
    expect(collector.complaintsIn(w.config.name)).toHaveLength(1);
    expect(collector.messagesIn(w.config.name).map((m) => [m.data.complaintId, m.data.matchedBy])).toEqual([
      [complaintId, 'in-reply-to'],
      [complaintId, 'subject-reference'],
    ]);

    // The reply consumer stores each message on the complaint once, however often it is delivered.
    const service = new CustomerMessagesService(ds, silentLogger);
    const batch = collector
      .messagesIn(w.config.name)
      .map((envelope) => ({ envelope, message: {} }) as unknown as ConsumedEvent<(typeof envelope)['data']>);
    await service.handle(batch);
    await service.handle(batch);
    const history = (await ds.query(
      `SELECT kind, actor, data->>'text' AS text FROM complaint_history WHERE complaint_id = $1 ORDER BY at, id`,
      [complaintId],
    )) as Array<{
      kind: string;
      text: string;
    }>;
    // The complaint was registered by the e-mail channel itself (the one registration path).
    expect(history.map((h) => [h.kind, h.text])).toEqual([
      ['received', null],
      ['customer-message', 'Mijn pakket is niet bezorgd.'],
      ['customer-message', 'Zie mijn eerdere klacht.'],
    ]);
  });

  it('survives a Dovecot restart: reconnects with backoff and keeps ingesting', async () => {
    const w = worker({ folder: 'Restart' });
    await dv.deliver(mail({ id: 'rs-1@klant.example' }), 'Restart');
    await waitFor('first mail', () => collector.complaintsIn(w.config.name).length === 1);
    const errorsBefore = await metric('klaxon_email_errors_total', { mailbox: w.config.name });
    await dv.restart();
    await dv.deliver(mail({ id: 'rs-2@klant.example' }), 'Restart');
    await waitFor(
      'second mail after the restart',
      () => collector.complaintsIn(w.config.name).length === 2,
      30_000,
    );
    expect(await metric('klaxon_email_errors_total', { mailbox: w.config.name })).toBeGreaterThan(
      errorsBefore,
    );
    expect(w.connected).toBe(true);
  });

  it('stopped mid-backfill and restarted: every mail becomes exactly one complaint', async () => {
    const total = 300;
    const ids = Array.from({ length: total }, (_, i) => `bf-${i}@klant.example`);
    for (let i = 0; i < total; i += 10)
      await Promise.all(
        ids.slice(i, i + 10).map((id) => dv.deliver(mail({ id, body: `klacht ${id}` }), 'Backfill')),
      );
    const first = worker({ folder: 'Backfill', batchSize: 20 });
    const name = first.config.name;
    await waitFor('part of the backfill', () => collector.complaintsIn(name).length >= 60);
    await first.kill();
    const afterKill = collector.complaintsIn(name).length;
    expect(afterKill).toBeLessThan(total);

    worker({ folder: 'Backfill', batchSize: 20 });
    await waitFor('the rest', async () => (await handledCount(name)) === total);
    await waitFor(
      'every complaint on the bus',
      () => new Set(collector.complaintsIn(name).map((e) => e.data.complaintId)).size === total,
    );
    const events = collector.complaintsIn(name);
    const distinct = new Set(events.map((e) => e.data.complaintId));
    expect(distinct.size).toBe(total);
    expect([...distinct].sort()).toEqual(
      ids.map((id) => complaintIdFor('email', `${name}#mid:${id}`)).sort(),
    );
    // At-least-once: at most the one round in flight at the kill was published again, with the same event ids.
    expect(events.length - distinct.size).toBeLessThanOrEqual(20);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(total);
    expect(await unseen('Backfill')).toEqual([]);
  });

  it('never crashes on bad mail: broken MIME, unknown charsets, a 25 MB attachment, thousands of recipients, binary noise, an unparseable header block (dead-lettered with its reason)', async () => {
    const recipients = Array.from({ length: 3000 }, (_, i) => `r${i}@klant.example`).join(',\r\n ');
    const big = Buffer.alloc(25 * 1024 * 1024, 7)
      .toString('base64')
      .replace(/.{76}/g, '$&\r\n');
    const bigMail =
      `From: Big <big@klant.example>\r\nTo: klachten@example.nl\r\nSubject: grote bijlage\r\nMessage-ID: <big-1@klant.example>\r\nMIME-Version: 1.0\r\n` +
      `Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nZie bijlage.\r\n--B\r\nContent-Type: video/mp4; name="film.mp4"\r\n` +
      `Content-Disposition: attachment; filename="film.mp4"\r\nContent-Transfer-Encoding: base64\r\n\r\n${big}\r\n--B--\r\n`;
    await dv.deliver(fixture('broken-mime.eml'), 'Bad');
    await dv.deliver(fixture('unknown-charset.eml'), 'Bad');
    await dv.deliver(bigMail, 'Bad');
    await dv.deliver(mail({ id: 'many-1@klant.example', headers: { To: recipients } }), 'Bad');
    await dv.deliver(Buffer.from([0, 255, 13, 10, 1, 2, 3, 0xc3, 0x28, 13, 10, 13, 10, 0xff, 0xfe]), 'Bad');
    // A header block beyond the MIME parser's limit: the parser refuses it, so it becomes a dead-letter row.
    const hugeHeaders = Array.from({ length: 200_000 }, (_, i) => `X-Junk-${i}: v`).join('\r\n');
    await dv.deliver(
      `From: j@klant.example\r\nSubject: junk\r\nMessage-ID: <junk-1@klant.example>\r\n${hugeHeaders}\r\n\r\nbody\r\n`,
      'Bad',
    );
    await dv.deliver(mail({ id: 'after-1@klant.example', subject: 'na de rommel' }), 'Bad');
    const w = worker({ folder: 'Bad' });
    await waitFor('all seven handled', async () => (await handledCount(w.config.name)) === 7, 60_000);
    await waitFor('the readable ones on the bus', () => {
      const seen = collector.complaintsIn(w.config.name);
      return (
        ['big-1@klant.example', 'many-1@klant.example'].every((id) =>
          seen.some((e) => e.data.email?.messageId === id),
        ) && seen.some((e) => e.data.subject === 'na de rommel')
      );
    });
    const events = collector.complaintsIn(w.config.name);
    const big1 = events.find((e) => e.data.email?.messageId === 'big-1@klant.example')!;
    expect(big1.data.email!.attachments).toEqual([
      { filename: 'film.mp4', contentType: 'video/mp4', size: 25 * 1024 * 1024 },
    ]);
    expect(Buffer.byteLength(JSON.stringify(big1))).toBeLessThan(10_000);
    expect(events.find((e) => e.data.email?.messageId === 'many-1@klant.example')).toBeDefined();
    expect(events.find((e) => e.data.subject === 'na de rommel')).toBeDefined();
    const rows = (await ds.query('SELECT disposition, reason FROM email_messages WHERE mailbox = $1', [
      w.config.name,
    ])) as Array<{ disposition: string; reason: string | null }>;
    expect(rows.filter((x) => x.disposition === 'dead-letter')).toEqual([
      {
        disposition: 'dead-letter',
        reason: expect.stringMatching(/^unparseable-mail: MIME parser failed: Max header size/),
      },
    ]);
    expect(
      await metric('klaxon_email_messages_total', { mailbox: w.config.name, outcome: 'dead-letter' }),
    ).toBe(1);
    expect(w.connected).toBe(true);
  });

  it('keeps retrying a mailbox whose password is rejected, and says so in its status', async () => {
    const w = worker({
      folder: 'INBOX',
      name: 'wrong-password',
      password: 'not-the-password',
      reconnect: { initialMs: 50, maxMs: 200 },
    });
    await waitFor(
      'two rejected logins',
      async () =>
        (await metric('klaxon_email_errors_total', { mailbox: 'wrong-password', kind: 'auth' })) >= 2,
    );
    expect(w.status()).toMatchObject({
      mailbox: 'wrong-password',
      state: 'unauthorized',
      lastError: { kind: 'auth' },
    });
    expect(w.connected).toBe(false);
  });

  it('does not download a message above maxMessageBytes: its headers become the complaint, with a note', async () => {
    await dv.deliver(
      mail({ id: 'huge-1@klant.example', subject: 'enorme mail', body: 'x'.repeat(300_000) }),
      'Huge',
    );
    const w = worker({ folder: 'Huge', maxMessageBytes: 100_000 });
    await waitFor('the huge mail', () => collector.complaintsIn(w.config.name).length === 1);
    const [event] = collector.complaintsIn(w.config.name);
    expect(event.data).toMatchObject({
      subject: 'enorme mail',
      customer: { email: 'klant@klant.example' },
      email: { messageId: 'huge-1@klant.example' },
    });
    expect(event.data.text).toMatch(/exceeds the 100000-byte limit/);
  });
});
