import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { ComplaintReceivedEvent, complaintIdFor, type ComplaintReceived } from '@klaxon/contracts';
import {
  startAppProcess,
  startDovecot,
  startKafkaMockCluster,
  startPostgresCluster,
  type AppProcess,
  type KafkaMockCluster,
  type PostgresCluster,
  readEvents,
  type EventReader,
  type RunningDovecot,
} from '@klaxon/testing';

// The email-ingest app as its own process: Kafka protocol (mock cluster), PostgreSQL, Dovecot over TLS.
// SIGKILLed in the middle of a backfill and started again: every mail is one complaint, none lost.
jest.setTimeout(180_000);

describe('email-ingest app on Kafka', () => {
  let kafka: KafkaMockCluster;
  let pg: PostgresCluster;
  let dv: RunningDovecot;
  let databaseUrl: string;
  let app: AppProcess | undefined;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'email-app-'));
  let reader: EventReader<ComplaintReceived>;
  const seen = () => reader.events.map((e) => ({ complaintId: e.data.complaintId, eventId: e.eventId }));
  const total = 600;

  const env = (): Record<string, string> => ({
    ...kafka.appEnv,
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: '3',
    // Several mailboxes are configured as JSON; small rounds so the kill lands mid-backfill.
    IMAP_MAILBOXES_JSON: JSON.stringify([
      {
        name: 'klachten',
        host: dv.host,
        port: dv.tlsPort,
        secure: 'tls',
        user: dv.user,
        password: dv.password,
        caFile: path.join(tmp, 'ca.pem'),
        batchSize: 10,
        reconnectInitialMs: 100,
        reconnectMaxMs: 1000,
      },
    ]),
  });

  beforeAll(async () => {
    [kafka, pg, dv] = await Promise.all([
      startKafkaMockCluster({ brokers: 1 }),
      startPostgresCluster(),
      startDovecot(),
    ]);
    writeFileSync(path.join(tmp, 'ca.pem'), dv.ca);
    databaseUrl = await pg.createDatabase('email_app');
    reader = await readEvents(kafka.brokers, ComplaintReceivedEvent, 'email-test');
  }, 90_000);

  afterAll(async () => {
    await app?.stop();
    await reader?.stop();
    await Promise.all([kafka?.stop(), pg?.stop(), dv?.stop()]);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('refuses to start with an invalid mailbox configuration, naming the problem', async () => {
    await expect(
      startAppProcess('email-ingest', { ...env(), IMAP_MAILBOXES_JSON: '[{"host":"x","user":"u"}]' }, 30_000),
    ).rejects.toThrow(/password or accessToken/);
  });

  it('is killed mid-backfill and restarted without losing or duplicating a complaint', async () => {
    const ids = Array.from({ length: total }, (_, i) => `kafka-${i}@klant.example`);
    for (let i = 0; i < total; i += 20) {
      await Promise.all(
        ids
          .slice(i, i + 20)
          .map((id) =>
            dv.deliver(
              `From: Klant <klant@klant.example>\r\nTo: klachten@example.nl\r\nSubject: klacht ${id}\r\nMessage-ID: <${id}>\r\n\r\nMijn pakket ${id} is zoek.\r\n`,
            ),
          ),
      );
    }
    app = await startAppProcess('email-ingest', env());
    const deadline = Date.now() + 60_000;
    while (seen().length < 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await app.kill();
    const atKill = new Set(seen().map((s) => s.complaintId)).size;
    expect(atKill).toBeGreaterThan(0);
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const [{ n: handledAtKill }] = (await db.query('SELECT count(*)::int AS n FROM email_messages'))
        .rows as Array<{ n: number }>;
      expect(handledAtKill).toBeLessThan(total); // the kill really landed in the middle of the backfill

      app = await startAppProcess('email-ingest', env());
      for (let until = Date.now() + 90_000; ;) {
        const [{ n }] = (await db.query('SELECT count(*)::int AS n FROM email_messages')).rows as Array<{
          n: number;
        }>;
        if (n === total && new Set(seen().map((s) => s.complaintId)).size === total) break;
        if (Date.now() > until)
          throw new Error(
            `only ${n} handled, ${new Set(seen().map((s) => s.complaintId)).size} on Kafka (killed at ${atKill})`,
          );
        await new Promise((r) => setTimeout(r, 100));
      }
      const { rows } = await db.query('SELECT last_uid FROM email_mailbox_state');
      expect(rows.map((r) => Number(r.last_uid))).toEqual([total]);
    } finally {
      await db.end();
    }
    const distinct = new Set(seen().map((s) => s.complaintId));
    expect([...distinct].sort()).toEqual(
      ids.map((id) => complaintIdFor('email', `klachten#mid:${id}`)).sort(),
    );
    expect(new Set(seen().map((s) => s.eventId)).size).toBe(total);
  });
});
