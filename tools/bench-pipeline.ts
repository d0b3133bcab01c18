/**
 * npm run bench:pipeline [-- --complaints 12000 --concurrency 512 --warmup 2000 --rate 0 --statements --progress]
 *
 * Pushes complaints through all four stages — intake (HTTP) → classifier → router → sla, each its
 * own process — on the Kafka mock cluster (3 brokers) and a throwaway PostgreSQL, all on this
 * machine, and prints complaints per second end to end (sustained: after a warm-up load that is not
 * measured) and the p50/p99 latency from intake to assignment, where the CPU went, and the consumers'
 * batch sizes. Beside it, a baseline: the same number of events produced with one awaited Kafka send
 * per message, and with batched sends, which is what the outbox relay and the consumers do.
 */
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { ComplaintReceivedEvent, complaintIdFor, encodeEvent } from '@klaxon/contracts';
import {
  startAppProcess,
  startKafkaMockCluster,
  startPostgresCluster,
  type AppProcess,
} from '@klaxon/testing';

const { values: args } = parseArgs({
  options: {
    complaints: { type: 'string', default: '12000' },
    concurrency: { type: 'string', default: '512' },
    warmup: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '0' },
    baseline: { type: 'string', default: '3000' },
    statements: { type: 'boolean', default: false },
    progress: { type: 'boolean', default: false },
  },
});
const N = Number(args.complaints);
const CONCURRENCY = Number(args.concurrency);
const WARMUP = Number(args.warmup);
/** --rate R: offer R complaints a second (open loop) instead of as many as the clients get answered. */
const RATE = Number(args.rate);
const BASELINE_N = Number(args.baseline);

/** The intake API needs a key with scope `submit`; the bench gives the apps one through API_KEYS. */
const BENCH_KEY = 'bench-key-3c9e27d1f04a-0123456789abcdef';
const JSON_WITH_KEY = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEY}` };

const TEXTS = [
  'Mijn pakket is al voor de derde keer niet bezorgd terwijl ik gewoon thuis was.',
  'I was charged twice for my subscription this month and nobody answers my emails.',
  'De medewerker aan de telefoon was ontzettend onbeschoft en hing gewoon op.',
  'The blender I bought last week already stopped working, the motor smells burnt.',
];

function postJson(agent: http.Agent, url: string, body: unknown): Promise<{ status: number; body: string }> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { ...JSON_WITH_KEY, 'content-length': payload.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * CPU seconds used so far by each part on this machine, from /proc: the apps, PostgreSQL (all its
 * backends), the mock cluster (kcat) and the bench itself. Two snapshots around the run say where
 * the two cores went.
 */
function cpuByPart(apps: AppProcess[]): Map<string, number> {
  const names = new Map(apps.map((a) => [a.child.pid, a.name]));
  const hz = 100; // USER_HZ on Linux
  const out = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    let cmd: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const seconds = (Number(fields[11]) + Number(fields[12])) / hz;
    const pid = Number(entry);
    const part =
      names.get(pid) ??
      (pid === process.pid
        ? 'bench (load generator)'
        : cmd.startsWith('postgres') || stat.includes('(postgres)')
          ? 'postgresql'
          : cmd.startsWith('kcat')
            ? 'kafka mock cluster (kcat)'
            : null);
    if (part) out.set(part, (out.get(part) ?? 0) + seconds);
  }
  return out;
}

/** Handler calls and messages per call of each consumer group, from the apps' klaxon_consumer_batch_size histograms. */
async function consumerBatches(
  apps: AppProcess[],
): Promise<Record<string, { calls: number; 'messages per call': string }>> {
  const out: Record<string, { calls: number; 'messages per call': string }> = {};
  for (const app of apps) {
    const text = await (await fetch(`${app.url}/metrics`)).text();
    const sums = new Map<string, number>();
    const counts = new Map<string, number>();
    for (const line of text.split('\n')) {
      const m = /^klaxon_consumer_batch_size_(sum|count)\{(.*)\} ([\d.e+]+)$/.exec(line);
      if (!m) continue;
      const group = /group="([^"]+)"/.exec(m[2])?.[1] ?? m[2];
      (m[1] === 'sum' ? sums : counts).set(
        group,
        ((m[1] === 'sum' ? sums : counts).get(group) ?? 0) + Number(m[3]),
      );
    }
    for (const [group, calls] of counts)
      out[`${app.name}: ${group}`] = {
        calls,
        'messages per call': ((sums.get(group) ?? 0) / Math.max(1, calls)).toFixed(1),
      };
  }
  return out;
}

/**
 * Who complains: four in five complaints come from someone who has not complained before, one in five
 * from a pool of 499 repeat complainants (the router links them and escalates the third complaint in
 * 90 days). Before, every complaint came from 997 customers, so by the end of a run nearly every
 * complaint was a repeat escalation, which is not what a helpdesk sees.
 */
function customerEmail(i: number): string {
  return i % 5 === 0 ? `repeat-${(i / 5) % 499}@example.nl` : `bench-${i}@example.nl`;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function baseline(brokers: string[]): Promise<{ awaitedPerSecond: number; batchedPerSecond: number }> {
  const producer = new Kafka({ clientId: 'bench-baseline', brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const events = Array.from({ length: BASELINE_N }, (_, i) =>
    encodeEvent(ComplaintReceivedEvent, {
      ...ComplaintReceivedEvent.example,
      complaintId: complaintIdFor('web', `baseline-${i}`),
      sourceId: `baseline-${i}`,
    }),
  );
  const toMessage = (e: (typeof events)[number]) => ({ key: e.key, value: e.value, headers: e.headers });
  let t = performance.now();
  for (const e of events)
    await producer.send({ topic: 'bench.baseline.awaited', acks: -1, messages: [toMessage(e)] });
  const awaitedPerSecond = BASELINE_N / ((performance.now() - t) / 1000);
  t = performance.now();
  for (let i = 0; i < events.length; i += 500) {
    await producer.sendBatch({
      acks: -1,
      topicMessages: [{ topic: 'bench.baseline.batched', messages: events.slice(i, i + 500).map(toMessage) }],
    });
  }
  const batchedPerSecond = BASELINE_N / ((performance.now() - t) / 1000);
  await producer.disconnect();
  return { awaitedPerSecond, batchedPerSecond };
}

async function heaviestStatements(db: Client): Promise<Array<Record<string, string | number>>> {
  await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const { rows } = await db.query(
    `SELECT calls::int, round(total_exec_time)::int AS "exec ms", round(total_plan_time)::int AS "plan ms", round((total_exec_time / nullif(calls, 0))::numeric, 3)::float AS "exec ms/call", rows::int,
            left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query
       FROM pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC LIMIT 20`,
  );
  const { rows: jitted } = await db.query(
    `SELECT 'JIT: ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 100) AS query, jit_functions::int AS rows, calls::int FROM pg_stat_statements WHERE jit_functions > 0`,
  );
  rows.push(...jitted);
  const { rows: kinds } = await db.query(
    `SELECT 'history: ' || kind AS query, count(*)::int AS rows FROM complaint_history GROUP BY kind ORDER BY 2 DESC`,
  );
  rows.push(...kinds);
  const [sum] = (
    await db.query(
      `SELECT sum(calls)::int AS calls, round(sum(total_exec_time))::int AS "exec ms", round(sum(total_plan_time))::int AS "plan ms" FROM pg_stat_statements`,
    )
  ).rows;
  return [...rows, { query: '(all statements)', ...sum }];
}

async function main(): Promise<void> {
  // --statements: PostgreSQL records every statement's cost (pg_stat_statements) and the bench prints the heaviest.
  // The throwaway cluster's 64 MB of shared buffers is a test's; a production database has a quarter
  // of its memory (CloudNativePG's default), and the tables of a long run outgrow 64 MB.
  const settings: Record<string, string> = { shared_buffers: '512MB' };
  if (args.statements)
    Object.assign(settings, {
      shared_preload_libraries: 'pg_stat_statements',
      'pg_stat_statements.track_planning': 'on',
    });
  const [kafka, pg] = await Promise.all([
    startKafkaMockCluster({ brokers: 3 }),
    startPostgresCluster({ settings }),
  ]);
  const apps: AppProcess[] = [];
  try {
    const url = await pg.createDatabase('klaxon_bench');
    // Consumers of topics that stay empty here (corrections, case events) ask the brokers every
    // KAFKA_MAX_WAIT_MS; busy ones get their data at once whatever it is.
    const env = {
      ...kafka.appEnv,
      KAFKA_MAX_WAIT_MS: '500',
      DATABASE_URL: url,
      LOG_LEVEL: 'error',
      API_KEYS: `bench:${BENCH_KEY}:submit+read`,
    };
    const intake = await startAppProcess('intake', env);
    apps.push(
      intake,
      ...(await Promise.all(['classifier', 'router', 'sla'].map((a) => startAppProcess(a, env)))),
    );
    const db = new Client({ connectionString: url });
    db.on('error', () => {}); // the cluster stops under it when the bench fails; the failure is reported, not this
    await db.connect();

    // The bench measures the pipeline's throughput, not the demo organisation's head count: give every
    // member room for the whole run so no complaint waits in a team queue.
    await db.query('UPDATE team_members SET capacity = $1', [N + 100]);

    // Warm-up: consumer groups join, JIT warms, the model loads.
    const warm = await fetch(`${intake.url}/api/complaints`, {
      method: 'POST',
      headers: JSON_WITH_KEY,
      body: JSON.stringify({ channel: 'web', text: TEXTS[0], customer: { email: 'warm@example.nl' } }),
    });
    const warmId = ((await warm.json()) as { id: string }).id;
    for (;;) {
      const { rows } = await db.query('SELECT owner_id FROM complaints WHERE id = $1', [warmId]);
      if (rows[0]?.owner_id) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    // node:http with keep-alive: the load generator shares the two cores with what it measures, and
    // fetch (undici) costs it about three times as much CPU per request.
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    /** Posts complaints `from`..`to - 1` over CONCURRENCY connections (at `rate` a second, if given). */
    const push = async (from: number, to: number, rate = 0) => {
      let next = from;
      const t0 = performance.now();
      const client = async () => {
        while (next < to) {
          const i = next++;
          const due = rate > 0 ? t0 + ((i - from) * 1000) / rate : 0;
          if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
          const res = await postJson(agent, `${intake.url}/api/complaints`, {
            channel: 'web',
            text: `${TEXTS[i % TEXTS.length]} (#${i})`,
            customer: { email: customerEmail(i) },
          });
          if (res.status !== 202) throw new Error(`intake answered ${res.status}: ${res.body}`);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, client));
    };
    // Done when the SLA service has handled every assignment (its idempotency claims, committed with the
    // deadlines): an index range the bench can count every 100 ms without loading the database it
    // measures. The exact check of every complaint follows.
    const handled = async (count: number) => {
      for (;;) {
        const { rows } = await db.query(
          `SELECT count(*)::int AS n FROM processed_events WHERE consumer = 'klaxon-sla'`,
        );
        if (rows[0].n >= count) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    // Sustained, not cold: a first load (not measured) warms the JIT of every stage and fills the tables.
    await push(N, N + WARMUP);
    await handled(1 + WARMUP);

    const cpuBefore = cpuByPart(apps);
    const started = performance.now();
    const startedAt = new Date();
    // --progress: where the complaints are, stage by stage, every second (which stage holds the queue).
    const progress = args.progress
      ? setInterval(() => {
          void db
            .query(
              `SELECT count(*)::int AS received, count(category)::int AS classified, count(owner_id)::int AS assigned,
                      (SELECT count(*)::int FROM sla_clocks) / 4 AS deadlines, (SELECT count(*)::int FROM outbox) AS outbox FROM complaints`,
            )
            .then(({ rows: [r] }) =>
              console.log(
                `${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s  ${JSON.stringify(r)}`,
              ),
            )
            .catch(() => undefined);
        }, 1_000)
      : null;
    await push(0, N, RATE);
    agent.destroy();
    const intakeSeconds = (performance.now() - started) / 1000;
    await handled(1 + WARMUP + N);
    const totalSeconds = (performance.now() - started) / 1000;
    if (progress) clearInterval(progress);
    const cpuAfter = cpuByPart(apps);
    const { rows: done } = await db.query(
      `SELECT count(*)::int AS n FROM complaints c WHERE received_at >= $1 AND owner_id IS NOT NULL AND category IS NOT NULL AND (SELECT count(*) FROM sla_clocks s WHERE s.complaint_id = c.id) = 4`,
      [startedAt],
    );
    if (done[0].n !== N) {
      const { rows: why } = await db.query(
        `SELECT (owner_id IS NOT NULL) AS owned, (category IS NOT NULL) AS classified, status, (SELECT count(*)::int FROM sla_clocks s WHERE s.complaint_id = c.id) AS clocks, count(*)::int AS n
           FROM complaints c WHERE received_at >= $1 GROUP BY 1, 2, 3, 4 ORDER BY n DESC`,
        [startedAt],
      );
      console.table(why);
    }
    if (done[0].n !== N)
      throw new Error(
        `only ${done[0].n} of ${N} complaints are classified, assigned and have their four deadlines`,
      );
    const { rows } = await db.query(
      `SELECT extract(epoch FROM (assigned_at - received_at)) * 1000 AS ms FROM complaints WHERE received_at >= $1 AND owner_id IS NOT NULL`,
      [startedAt],
    );
    const latencies = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
    const batches = await consumerBatches(apps);
    const statements = args.statements ? await heaviestStatements(db) : [];
    await db.end();
    const base = await baseline(kafka.brokers);

    console.log(
      `\npipeline: ${N} complaints (one in five from 499 repeat complainants), ${CONCURRENCY} concurrent HTTP clients${RATE > 0 ? `, offered at ${RATE}/s` : ''}, 3-broker Kafka mock cluster, PostgreSQL ${url.split('@')[1]}`,
    );
    console.table({
      'end to end (intake → classified → assigned → deadlines)': {
        'complaints/s': Math.round(N / totalSeconds),
        seconds: totalSeconds.toFixed(1),
      },
      'intake alone (HTTP 202s)': {
        'complaints/s': Math.round(N / intakeSeconds),
        seconds: intakeSeconds.toFixed(1),
      },
    });
    console.table({
      'intake → assigned latency (ms)': {
        p50: Math.round(percentile(latencies, 50)),
        p99: Math.round(percentile(latencies, 99)),
        max: Math.round(latencies[latencies.length - 1]),
      },
    });
    const cpu: Record<string, { 'CPU s': string; 'ms per complaint': string; 'share of 2 cores': string }> =
      {};
    let cpuTotal = 0;
    for (const [part, after] of [...cpuAfter].sort(
      (a, b) => b[1] - (cpuBefore.get(b[0]) ?? 0) - (a[1] - (cpuBefore.get(a[0]) ?? 0)),
    )) {
      const used = after - (cpuBefore.get(part) ?? 0);
      cpuTotal += used;
      cpu[part] = {
        'CPU s': used.toFixed(1),
        'ms per complaint': ((used * 1000) / N).toFixed(2),
        'share of 2 cores': `${Math.round((used / totalSeconds / 2) * 100)} %`,
      };
    }
    cpu['all of it'] = {
      'CPU s': cpuTotal.toFixed(1),
      'ms per complaint': ((cpuTotal * 1000) / N).toFixed(2),
      'share of 2 cores': `${Math.round((cpuTotal / totalSeconds / 2) * 100)} %`,
    };
    console.log("consumer batches (messages per handler call, from each app's /metrics):");
    console.table(batches);
    console.log('where the CPU went, from the first request until the last complaint had its deadlines:');
    console.table(cpu);
    console.log(`baseline: ${BASELINE_N} ComplaintReceived events produced to Kafka`);
    console.table({
      'one awaited send per message': { 'messages/s': Math.round(base.awaitedPerSecond) },
      'batched sends (500 a batch, as the relay does)': { 'messages/s': Math.round(base.batchedPerSecond) },
    });
    if (statements.length > 0) {
      console.log('heaviest statements (pg_stat_statements, whole run):');
      console.table(statements);
    }
  } finally {
    await Promise.all(apps.map((a) => a.stop()));
    await Promise.all([kafka.stop(), pg.stop()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
