import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAppProcess, startDovecot, type AppProcess, type RunningDovecot } from '@klaxon/testing';
import { waitFor } from '../support/wait-for';

// `npm start` with IMAP_HOST set ingests that mailbox too: mails end up as complaints on channel `email`,
// classified like every other channel; a reply lands in the complaint's history, not as a new complaint.
jest.setTimeout(120_000);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-email-'));
let app: AppProcess;
let dv: RunningDovecot;

type Item = {
  id: string;
  channel: string;
  subject: string | null;
  text: string;
  customer: { email?: string };
  classification: unknown;
};

beforeAll(async () => {
  dv = await startDovecot();
  writeFileSync(path.join(dataDir, 'imap-ca.pem'), dv.ca);
  await dv.deliver(
    'From: Anna de Vries <anna@klant.example>\r\nTo: klachten@example.nl\r\nSubject: Pakket kwijt\r\nMessage-ID: <e2e-1@klant.example>\r\n\r\nMijn pakket is voor de derde keer zoekgeraakt. Ik wil mijn geld terug.\r\n',
  );
  app = await startAppProcess('klaxon', {
    DATA_DIR: dataDir,
    KAFKA_BROKERS: '',
    DATABASE_URL: '',
    IMAP_HOST: dv.host,
    IMAP_PORT: String(dv.tlsPort),
    IMAP_SECURE: 'tls',
    IMAP_USER: dv.user,
    IMAP_PASSWORD: dv.password,
    IMAP_TLS_CA_FILE: path.join(dataDir, 'imap-ca.pem'),
  });
});

afterAll(async () => {
  await app?.stop();
  await dv?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const list = async (): Promise<{ total: number; items: Item[] }> => {
  const res = await fetch(`${app.url}/api/complaints?channel=email`, {
    headers: { authorization: 'Bearer demo' },
  });
  return (await res.json()) as { total: number; items: Item[] };
};

it('lists mailbox mail as email complaints and stores a reply on the complaint it answers', async () => {
  const first = await waitFor('the email complaint', async () => {
    const body = await list();
    return body.total === 1 && body.items[0].classification ? body : undefined;
  });
  expect(first.items[0]).toMatchObject({
    channel: 'email',
    subject: 'Pakket kwijt',
    customer: { email: 'anna@klant.example' },
  });

  await dv.deliver(
    'From: Anna de Vries <anna@klant.example>\r\nTo: klachten@example.nl\r\nSubject: Re: Pakket kwijt\r\nMessage-ID: <e2e-2@klant.example>\r\nIn-Reply-To: <e2e-1@klant.example>\r\n\r\nNog steeds niets ontvangen.\r\n',
  );
  const id = first.items[0].id;
  const history = await waitFor('the reply in the history', async () => {
    const res = await fetch(`${app.url}/api/complaints/${id}`, { headers: { authorization: 'Bearer demo' } });
    const body = (await res.json()) as { history: Array<{ kind: string; data: { text?: string } | null }> };
    return body.history.some((h) => h.kind === 'customer-message') ? body.history : undefined;
  });
  expect(history.find((h) => h.kind === 'customer-message')!.data!.text).toBe('Nog steeds niets ontvangen.');
  expect((await list()).total).toBe(1);

  const health = (await (await fetch(`${app.url}/health/email`)).json()) as {
    status: string;
    mailboxes: Array<{ state: string }>;
  };
  expect(health).toMatchObject({ status: 'ok', mailboxes: [{ state: 'connected' }] });
});
