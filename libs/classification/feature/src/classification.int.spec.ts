import { Client } from 'pg';
import {
  CaseEventEvent,
  ComplaintClassifiedEvent,
  ComplaintReceivedEvent,
  complaintIdFor,
  deadLetterTopic,
  encodeEvent,
} from '@klaxon/contracts';
import { loadRuntimeConfig } from '@klaxon/platform/config';
import {
  connectInfrastructure,
  startApp,
  type Infrastructure,
  type RunningApp,
} from '@klaxon/platform/runtime';
import {
  startKafkaMockCluster,
  startPostgresCluster,
  type KafkaMockCluster,
  type PostgresCluster,
} from '@klaxon/testing';
import { ClassificationModule } from './classification.module';

// The classifier stage as it runs: Nest app, @ConsumeEvents over the Kafka mock cluster, real PostgreSQL.
// A received complaint is classified into the complaints table and the outbox; a handler's correction of
// it becomes a training example; a correction of an unknown complaint is dead-lettered with its reason.
jest.setTimeout(180_000);

let pg: PostgresCluster;
let kafka: KafkaMockCluster;
let infra: Infrastructure;
let app: RunningApp;
let db: Client;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  [pg, kafka] = await Promise.all([startPostgresCluster(), startKafkaMockCluster({ brokers: 1 })]);
  const databaseUrl = await pg.createDatabase('classifier');
  const config = loadRuntimeConfig({
    DATABASE_URL: databaseUrl,
    ...kafka.appEnv,
    LOG_LEVEL: 'silent',
  });
  infra = await connectInfrastructure({ service: 'classifier-test', config });
  app = await startApp({
    service: 'classifier',
    infrastructure: infra,
    features: [ClassificationModule.forRoot({ reloadIntervalMs: 0 })],
    http: { port: 0, host: '127.0.0.1' },
  });
  db = new Client({ connectionString: databaseUrl });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await app?.stop();
  await Promise.all([pg?.stop(), kafka?.stop()]);
});

it('classifies a received complaint, then stores the handler’s correction as a training example', async () => {
  const complaintId = complaintIdFor('web', 'form-int-1');
  const classifiedEvents: Array<{ data: { complaintId: string; [k: string]: unknown } }> = [];
  const deadLetters: Array<{ error: { code: string; message: string } }> = [];
  const readers = await Promise.all([
    infra.bus.subscribe({
      groupId: 'classifier-test-classified-reader',
      topics: [ComplaintClassifiedEvent.topic],
      handler: async (messages) => {
        for (const m of messages) classifiedEvents.push(JSON.parse(m.value!.toString('utf8')));
      },
    }),
    infra.bus.subscribe({
      groupId: 'classifier-test-dlq-reader',
      topics: [deadLetterTopic(CaseEventEvent.topic)],
      handler: async (messages) => {
        for (const m of messages) deadLetters.push(JSON.parse(m.value!.toString('utf8')));
      },
    }),
  ]);
  await infra.bus.publish([
    encodeEvent(ComplaintReceivedEvent, {
      complaintId,
      channel: 'web',
      sourceId: 'form-int-1',
      receivedAt: '2026-11-25T09:00:00.000+01:00',
      text: 'Mijn pakket is voor de derde keer niet bezorgd en niemand neemt de telefoon op.',
      customer: { email: 'anna@example.nl' },
      recentComplaints: 4,
    }),
  ]);
  const classified = await waitFor('the complaint classified', async () => {
    const { rows } = await db.query(
      `SELECT complaint_label, category, priority, priority_reasons, language, model_version FROM complaints WHERE id = $1`,
      [complaintId],
    );
    return rows[0]?.model_version ? rows[0] : undefined;
  });
  expect(classified).toMatchObject({
    complaint_label: 'latent',
    category: 'delivery',
    priority: 'high',
    language: 'nl',
    model_version: expect.stringMatching(/^klaxon-default-/),
  });
  expect(classified.priority_reasons).toEqual(
    expect.arrayContaining(['repeated-failure', 'repeat-complainant']),
  );
  const published = await waitFor('the ComplaintClassified event on Kafka', async () =>
    classifiedEvents.find((e) => e.data.complaintId === complaintId),
  );
  expect(published.data).toMatchObject({
    complaint: 'latent',
    category: 'delivery',
    priority: 'high',
    modelVersion: classified.model_version,
  });

  await infra.bus.publish([
    encodeEvent(CaseEventEvent, {
      caseEventId: 'ce-int-1',
      complaintId,
      action: 'corrected',
      actor: { type: 'user', id: 'u-sanne' },
      at: '2026-11-25T09:30:00.000+01:00',
      correction: { category: 'communication', complaint: 'explicit' },
    }),
    encodeEvent(CaseEventEvent, {
      caseEventId: 'ce-int-2',
      complaintId: complaintIdFor('web', 'never-received'),
      action: 'corrected',
      actor: { type: 'user', id: 'u-sanne' },
      at: '2026-11-25T09:31:00.000+01:00',
      correction: { priority: 'high' },
    }),
  ]);
  const example = await waitFor('the training example', async () => {
    const { rows } = await db.query(
      `SELECT text, complaint, category, priority, corrected_by FROM training_examples WHERE complaint_id = $1`,
      [complaintId],
    );
    return rows[0];
  });
  expect(example).toEqual({
    text: 'Mijn pakket is voor de derde keer niet bezorgd en niemand neemt de telefoon op.',
    complaint: 'explicit',
    category: 'communication',
    priority: null,
    corrected_by: 'user:u-sanne',
  });
  const dead = await waitFor('the unknown complaint’s correction dead-lettered', async () => deadLetters[0]);
  expect(dead.error).toEqual({
    code: 'unknown-complaint',
    message: expect.stringContaining('not in the complaints table'),
  });
  await Promise.all(readers.map((r) => r.stop()));
  const { rows: unknown } = await db.query(
    `SELECT count(*)::int AS n FROM training_examples WHERE complaint_id = $1`,
    [complaintIdFor('web', 'never-received')],
  );
  expect(unknown[0].n).toBe(0);
});
