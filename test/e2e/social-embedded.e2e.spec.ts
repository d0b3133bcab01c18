import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAppProcess, startFakeXApi, type AppProcess, type FakeXApi } from '@klaxon/testing';
import { waitFor } from '../support/wait-for';

// `npm start` with X_BEARER_TOKEN set ingests X too: mentions end up as complaints on channel `social`.
jest.setTimeout(120_000);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-social-'));
let app: AppProcess;
let x: FakeXApi;

beforeAll(async () => {
  x = await startFakeXApi();
  x.addUser({ id: 'u1', username: 'AnnaDV', name: 'Anna de Vries', followers: 20_000 });
  x.push({
    id: '900',
    text: '@KlaxonBank al drie weken wacht ik op mijn nieuwe pas',
    authorId: 'u1',
    lang: 'nl',
  });
  app = await startAppProcess('klaxon', {
    DATA_DIR: dataDir,
    KAFKA_BROKERS: '',
    DATABASE_URL: '',
    X_BEARER_TOKEN: x.bearerToken,
    X_QUERY: '@KlaxonBank',
    X_API_BASE_URL: x.baseUrl,
    NODE_EXTRA_CA_CERTS: x.caFile,
  });
});

afterAll(async () => {
  await app?.stop();
  await x?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it('ingests mentions from the search backfill and the stream as social complaints', async () => {
  await x.waitForStreams(1, 60_000);
  x.push({ id: '901', text: '@KlaxonBank the app crashed again when paying', authorId: 'u1', lang: 'en' });
  const list = await waitFor('two social complaints', async () => {
    const res = await fetch(`${app.url}/api/complaints?channel=social`, {
      headers: { authorization: 'Bearer demo' },
    });
    const body = (await res.json()) as {
      total: number;
      items: Array<{ channel: string; text: string; customer: { handle?: string } }>;
    };
    return body.total === 2 ? body : undefined;
  });
  expect(list.items.map((i) => i.text).sort()).toEqual([
    '@KlaxonBank al drie weken wacht ik op mijn nieuwe pas',
    '@KlaxonBank the app crashed again when paying',
  ]);
  expect(list.items.every((i) => i.channel === 'social' && i.customer.handle === 'annadv')).toBe(true);
  const health = (await (await fetch(`${app.url}/health/social`)).json()) as {
    sources: Array<{ network: string; state: string }>;
  };
  expect(health.sources).toEqual([expect.objectContaining({ network: 'x', state: 'streaming' })]);
});
