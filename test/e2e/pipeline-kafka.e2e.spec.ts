import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import {
  ComplaintReceivedEvent,
  deadLetterTopic,
  deadLetterRecordSchema,
  encodeEvent,
  complaintIdFor,
} from '@klaxon/contracts';
import {
  startAppProcess,
  startKafkaMockCluster,
  startPostgresCluster,
  type AppProcess,
  MOCK_CLUSTER_CONSUMER_TUNING,
} from '@klaxon/testing';
import {
  E2E_API_KEY,
  E2E_API_KEYS_ENV,
  SAMPLE_TEXTS,
  getJson,
  isFullyProcessed,
  postComplaint,
  useApiKey,
  type ComplaintViewLite,
} from '../support/api';
import { waitFor } from '../support/wait-for';

// The whole path on real parts: each app is its own process, talking over the Kafka mock cluster
// (3 brokers, real protocol) and a throwaway PostgreSQL cluster.
jest.setTimeout(240_000);

let kafka: Awaited<ReturnType<typeof startKafkaMockCluster>>;
let pg: Awaited<ReturnType<typeof startPostgresCluster>>;
let db: Client;
let env: Record<string, string>;
const apps: Record<string, AppProcess> = {};

beforeAll(async () => {
  [kafka, pg] = await Promise.all([startKafkaMockCluster({ brokers: 3 }), startPostgresCluster()]);
  const url = await pg.createDatabase('klaxon');
  db = new Client({ connectionString: url });
  await db.connect();
  env = { ...kafka.appEnv, DATABASE_URL: url, ...E2E_API_KEYS_ENV };
  useApiKey(E2E_API_KEY);
  apps.intake = await startAppProcess('intake', env); // migrates first; the others then find the schema in place
  const [classifier, router, sla] = await Promise.all([
    startAppProcess('classifier', env),
    startAppProcess('router', env),
    startAppProcess('sla', env),
  ]);
  Object.assign(apps, { classifier, router, sla });
});

afterAll(async () => {
  await Promise.all(Object.values(apps).map((a) => a.stop()));
  await db?.end();
  await Promise.all([kafka?.stop(), pg?.stop()]);
});

async function view(id: string): Promise<ComplaintViewLite> {
  return (await getJson<ComplaintViewLite>(`${apps.intake.url}/api/complaints/${id}`)).json;
}

async function submitMany(n: number, tag: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const { status, json } = await postComplaint(apps.intake.url, {
      channel: 'web',
      text: `${SAMPLE_TEXTS[i % SAMPLE_TEXTS.length]} (${tag} ${i})`,
      customer: { name: `Klant ${tag} ${i}`, email: `klant-${tag}-${i}@example.nl` },
    });
    expect(status).toBe(202);
    ids.push(String(json.id));
  }
  return ids;
}

/**
 * Done = classified and routed: given an owner and its four clocks, or waiting in its team's queue
 * when the demo organisation is at capacity (which 200 complaints at once make it).
 */
async function allProcessed(ids: string[], timeoutMs = 90_000): Promise<void> {
  await waitFor(
    `${ids.length} complaints classified and routed (owner and deadlines, or in a team queue)`,
    async () => {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM complaints c WHERE c.id = ANY($1) AND c.classified_at IS NOT NULL
           AND ((c.owner_id IS NOT NULL AND (SELECT count(*) FROM sla_clocks s WHERE s.complaint_id = c.id AND s.clock IN ('acknowledgement', 'owner', 'first-response', 'resolution')) = 4)
             OR (c.owner_id IS NULL AND c.status = 'queued' AND c.team_id IS NOT NULL))`,
        [ids],
      );
      return rows[0].n === ids.length;
    },
    timeoutMs,
    250,
  );
}

it('takes a complaint from the API through classifier, router and sla into PostgreSQL', async () => {
  const { status, json } = await postComplaint(apps.intake.url, {
    channel: 'web',
    text: 'Mijn pakket is al voor de derde keer niet bezorgd. Ik wil dat dit nu wordt opgelost.',
    customer: { name: 'Anna de Vries', email: 'Anna@Example.nl' },
  });
  expect(status).toBe(202);
  const id = String(json.id);
  // Clocks start at classification; the sla records the owner's deadlines once it sees the assignment.
  const done = await waitFor(
    'the complaint to be fully processed',
    async () => {
      const v = await view(id);
      return isFullyProcessed(v) && v.history.some((h) => h.kind === 'deadlines-set') ? v : undefined;
    },
    60_000,
  );
  expect(done.classification).toMatchObject({
    category: expect.any(String),
    priority: expect.stringMatching(/^(critical|high|normal)$/),
    modelVersion: expect.any(String),
  });
  expect(done.owner).toMatchObject({
    id: expect.any(String),
    teamId: expect.any(String),
    reason: expect.objectContaining({ rule: expect.any(String) }),
  });
  expect(done.deadlines.map((d) => d.clock).sort()).toEqual([
    'acknowledgement',
    'first-response',
    'owner',
    'resolution',
  ]);
  for (const d of done.deadlines)
    expect(d.deadline).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
  expect(done.history.map((h) => h.kind)).toEqual(
    expect.arrayContaining(['received', 'classified', 'assigned', 'deadlines-set']),
  );
});

it('loses nothing and assigns nothing twice when the classifier is killed mid-stream', async () => {
  const ids = await submitMany(150, 'crash');
  await waitFor(
    'the classifier to have started on the batch',
    async () => {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM complaints WHERE id = ANY($1) AND classified_at IS NOT NULL`,
        [ids],
      );
      return rows[0].n > 0;
    },
    60_000,
    20,
  );
  await apps.classifier.kill();
  const more = await submitMany(50, 'after-crash'); // keeps arriving while the classifier is down
  apps.classifier = await startAppProcess('classifier', env);
  const all = [...ids, ...more];
  await allProcessed(all);

  const owned = await db.query(
    `SELECT count(*)::int AS n FROM complaints WHERE id = ANY($1) AND owner_id IS NOT NULL`,
    [all],
  );
  expect(owned.rows[0].n).toBeGreaterThan(0);
  const assigned = await db.query(
    `SELECT complaint_id, count(*)::int AS n FROM complaint_history WHERE kind = 'assigned' AND complaint_id = ANY($1) GROUP BY complaint_id`,
    [all],
  );
  expect(assigned.rows).toHaveLength(owned.rows[0].n); // every owned complaint assigned exactly once
  expect(assigned.rows.every((r) => r.n === 1)).toBe(true);
  const classified = await db.query(
    `SELECT count(*)::int AS n FROM complaint_history WHERE kind = 'classified' AND complaint_id = ANY($1)`,
    [all],
  );
  expect(classified.rows[0].n).toBe(all.length);
});

it('dead-letters a malformed message with its reason and still processes the ones behind it', async () => {
  const producer = new Kafka({
    clientId: 'e2e-poison',
    brokers: kafka.brokers,
    logLevel: logLevel.NOTHING,
  }).producer();
  await producer.connect();
  const good = encodeEvent(ComplaintReceivedEvent, {
    ...ComplaintReceivedEvent.example,
    complaintId: complaintIdFor('web', 'behind-the-poison'),
    sourceId: 'behind-the-poison',
    receivedAt: new Date().toISOString(),
  });
  const key = good.key; // same key = same partition: the poison is right in front of the good one
  await producer.send({
    topic: ComplaintReceivedEvent.topic,
    acks: -1,
    messages: [
      { key, value: '{"this is": not json' },
      {
        key,
        value: JSON.stringify({
          eventId: 'x',
          type: 'complaint-received',
          version: 1,
          occurredAt: new Date().toISOString(),
          correlationId: 'c',
          data: { text: 42 },
        }),
      },
      { key, value: good.value, headers: good.headers },
    ],
  });
  await producer.disconnect();

  await allProcessed([good.key], 60_000);
  const consumer = new Kafka({
    clientId: 'e2e-dlq',
    brokers: kafka.brokers,
    logLevel: logLevel.NOTHING,
  }).consumer({
    groupId: `e2e-dlq-reader-${Date.now()}`,
    ...MOCK_CLUSTER_CONSUMER_TUNING,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: deadLetterTopic(ComplaintReceivedEvent.topic), fromBeginning: true });
  const records: Array<ReturnType<typeof deadLetterRecordSchema.parse>> = [];
  await consumer.run({
    eachMessage: async ({ message }) =>
      void records.push(deadLetterRecordSchema.parse(JSON.parse(message.value!.toString()))),
  });
  await waitFor('two dead-letter records', async () => records.length >= 2, 30_000);
  await consumer.disconnect();
  expect(records.map((r) => r.error.code).sort()).toEqual(['malformed-json', 'schema-mismatch']);
  expect(
    Buffer.from(records.find((r) => r.error.code === 'malformed-json')!.valueBase64!, 'base64').toString(),
  ).toBe('{"this is": not json');
  expect(
    records.every(
      (r) => r.consumerGroup === 'klaxon-classifier' && r.originalTopic === ComplaintReceivedEvent.topic,
    ),
  ).toBe(true);
});

it('stops gracefully on SIGTERM', async () => {
  expect(await apps.router.stop()).toBe(0);
  delete apps.router;
});
