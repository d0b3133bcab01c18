/**
 * npm run bench:pipeline [-- --complaints 6000 --concurrency 64]
 *
 * Pushes complaints through all four stages — intake (HTTP) → classifier → router → sla, each its
 * own process — on the Kafka mock cluster (3 brokers) and a throwaway PostgreSQL, and prints
 * complaints per second end to end and the p50/p99 latency from intake to assignment. Beside it, a
 * baseline: the same number of events produced with one awaited Kafka send per message, and with
 * batched sends, which is what the outbox relay and the consumers do.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { ComplaintReceivedEvent, complaintIdFor, encodeEvent } from '@klaxon/contracts';
import { startAppProcess, startKafkaMockCluster, startPostgresCluster, type AppProcess } from '@klaxon/testing';

const { values: args } = parseArgs({
  options: { complaints: { type: 'string', default: '6000' }, concurrency: { type: 'string', default: '64' }, baseline: { type: 'string', default: '3000' } },
});
const N = Number(args.complaints);
const CONCURRENCY = Number(args.concurrency);
const BASELINE_N = Number(args.baseline);

/** The intake API needs a key with scope `submit`; the bench gives the apps one through API_KEYS. */
const BENCH_KEY = 'bench-key-3c9e27d1f04a';
const JSON_WITH_KEY = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEY}` };

const TEXTS = [
  'Mijn pakket is al voor de derde keer niet bezorgd terwijl ik gewoon thuis was.',
  'I was charged twice for my subscription this month and nobody answers my emails.',
  'De medewerker aan de telefoon was ontzettend onbeschoft en hing gewoon op.',
  'The blender I bought last week already stopped working, the motor smells burnt.',
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function baseline(brokers: string[]): Promise<{ awaitedPerSecond: number; batchedPerSecond: number }> {
  const producer = new Kafka({ clientId: 'bench-baseline', brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const events = Array.from({ length: BASELINE_N }, (_, i) =>
    encodeEvent(ComplaintReceivedEvent, { ...ComplaintReceivedEvent.example, complaintId: complaintIdFor('web', `baseline-${i}`), sourceId: `baseline-${i}` }),
  );
  const toMessage = (e: (typeof events)[number]) => ({ key: e.key, value: e.value, headers: e.headers });
  let t = performance.now();
  for (const e of events) await producer.send({ topic: 'bench.baseline.awaited', acks: -1, messages: [toMessage(e)] });
  const awaitedPerSecond = BASELINE_N / ((performance.now() - t) / 1000);
  t = performance.now();
  for (let i = 0; i < events.length; i += 500) {
    await producer.sendBatch({ acks: -1, topicMessages: [{ topic: 'bench.baseline.batched', messages: events.slice(i, i + 500).map(toMessage) }] });
  }
  const batchedPerSecond = BASELINE_N / ((performance.now() - t) / 1000);
  await producer.disconnect();
  return { awaitedPerSecond, batchedPerSecond };
}

async function main(): Promise<void> {
  const [kafka, pg] = await Promise.all([startKafkaMockCluster({ brokers: 3 }), startPostgresCluster()]);
  const apps: AppProcess[] = [];
  try {
    const url = await pg.createDatabase('klaxon_bench');
    const env = { ...kafka.appEnv, DATABASE_URL: url, KAFKA_MAX_WAIT_MS: '50', LOG_LEVEL: 'error', API_KEYS: `bench:${BENCH_KEY}:submit+read` };
    const intake = await startAppProcess('intake', env);
    apps.push(intake, ...(await Promise.all(['classifier', 'router', 'sla'].map((a) => startAppProcess(a, env)))));
    const db = new Client({ connectionString: url });
    await db.connect();

    // The bench measures the pipeline's throughput, not the demo organisation's head count: give every
    // member room for the whole run so no complaint waits in a team queue.
    await db.query('UPDATE team_members SET capacity = $1', [N + 100]);

    // Warm-up: consumer groups join, JIT warms, the model loads.
    const warm = await fetch(`${intake.url}/api/complaints`, { method: 'POST', headers: JSON_WITH_KEY, body: JSON.stringify({ channel: 'web', text: TEXTS[0], customer: { email: 'warm@example.nl' } }) });
    const warmId = ((await warm.json()) as { id: string }).id;
    for (;;) {
      const { rows } = await db.query('SELECT owner_id FROM complaints WHERE id = $1', [warmId]);
      if (rows[0]?.owner_id) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    const started = performance.now();
    const startedAt = new Date();
    let next = 0;
    const post = async () => {
      while (next < N) {
        const i = next++;
        const res = await fetch(`${intake.url}/api/complaints`, {
          method: 'POST',
          headers: JSON_WITH_KEY,
          body: JSON.stringify({ channel: 'web', text: `${TEXTS[i % TEXTS.length]} (#${i})`, customer: { email: `bench-${i % 997}@example.nl` } }),
        });
        if (res.status !== 202) throw new Error(`intake answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, post));
    const intakeSeconds = (performance.now() - started) / 1000;
    for (;;) {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM complaints WHERE received_at >= $1 AND owner_id IS NOT NULL AND (SELECT count(*) FROM sla_clocks s WHERE s.complaint_id = complaints.id) = 4`, [startedAt]);
      if (rows[0].n >= N) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const totalSeconds = (performance.now() - started) / 1000;
    const { rows } = await db.query(`SELECT extract(epoch FROM (assigned_at - received_at)) * 1000 AS ms FROM complaints WHERE received_at >= $1 AND owner_id IS NOT NULL`, [startedAt]);
    const latencies = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
    await db.end();
    const base = await baseline(kafka.brokers);

    console.log(`\npipeline: ${N} complaints, ${CONCURRENCY} concurrent HTTP clients, 3-broker Kafka mock cluster, PostgreSQL ${url.split('@')[1]}`);
    console.table({
      'end to end (intake → classified → assigned → deadlines)': { 'complaints/s': Math.round(N / totalSeconds), seconds: totalSeconds.toFixed(1) },
      'intake alone (HTTP 202s)': { 'complaints/s': Math.round(N / intakeSeconds), seconds: intakeSeconds.toFixed(1) },
    });
    console.table({ 'intake → assigned latency (ms)': { p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)), max: Math.round(latencies[latencies.length - 1]) } });
    console.log(`baseline: ${BASELINE_N} ComplaintReceived events produced to Kafka`);
    console.table({
      'one awaited send per message': { 'messages/s': Math.round(base.awaitedPerSecond) },
      'batched sends (500 a batch, as the relay does)': { 'messages/s': Math.round(base.batchedPerSecond) },
    });
  } finally {
    await Promise.all(apps.map((a) => a.stop()));
    await Promise.all([kafka.stop(), pg.stop()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
