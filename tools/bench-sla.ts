/**
 * npm run bench:sla [-- --open 100000 --hot 5000 --window 30 --interval 1000]
 *
 * How late SLA alerts fire with 100,000 open clocks in PostgreSQL: seeds `open` running clocks (most
 * due in the coming weeks, `hot` of them due within the next `window` seconds, each warning 5 s before
 * its deadline), runs the scheduler as real processes (tools/sla-replica.ts: the same FireDueAlertsService
 * pass SlaScheduler runs), and prints the p50/p99/max lateness of warnings and breaches after their due
 * moment, whether each fired exactly once, and the scheduler processes' CPU use — for one and for two
 * replicas side by side.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { createDataSource, runMigrations } from '@klaxon/platform/persistence';
import { startPostgresCluster } from '@klaxon/testing';

const { values: args } = parseArgs({
  options: {
    open: { type: 'string', default: '100000' },
    hot: { type: 'string', default: '5000' },
    window: { type: 'string', default: '30' },
    interval: { type: 'string', default: '1000' },
  },
});
const OPEN = Number(args.open);
const HOT = Number(args.hot);
const WINDOW_S = Number(args.window);
const INTERVAL = Number(args.interval);
const ROOT = path.resolve(__dirname, '..');

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

function replica(url: string): Promise<{
  child: ChildProcess;
  result: Promise<{ fired: number; cpu: { user: number; system: number } }>;
}> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'tools/sla-replica.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: url,
      SLA_SCAN_INTERVAL_MS: String(INTERVAL),
      SLA_SCAN_BATCH_SIZE: '500',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const result = new Promise<{ fired: number; cpu: { user: number; system: number } }>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', () => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line));
      else reject(new Error(`replica printed no result: ${out}`));
    });
  });
  return new Promise((resolve) => {
    const onData = (d: Buffer) => {
      if (d.toString().includes('ready')) {
        child.stdout!.off('data', onData);
        resolve({ child, result });
      }
    };
    child.stdout!.on('data', onData);
  });
}

async function run(pgCreate: (name: string) => Promise<string>, replicas: number) {
  const url = await pgCreate(`bench_sla_${replicas}`);
  const ds = createDataSource({ url, poolMax: 2 });
  await ds.initialize();
  await runMigrations(ds);
  await ds.destroy();
  const db = new Client({ connectionString: url });
  await db.connect();
  const started = (await Promise.all(Array.from({ length: replicas }, () => replica(url)))).map((r) => r);
  // Seed after the replicas are up, so the hot window starts now for everyone.
  const seedStart = Date.now();
  await db.query(
    `INSERT INTO sla_clocks (complaint_id, clock, started_at, deadline, warn_at, status, team_id)
     SELECT 'cmp_' || lpad(g::text, 20, '0'), 'resolution', now(), d, d - interval '1 hour', 'running', 'bench'
       FROM (SELECT g, now() + interval '1 day' + (g * interval '20 seconds') AS d FROM generate_series(1, $1::int) g) s`,
    [OPEN - HOT],
  );
  await db.query(
    `INSERT INTO sla_clocks (complaint_id, clock, started_at, deadline, warn_at, status, team_id)
     SELECT 'cmp_h' || lpad(g::text, 19, '0'), 'first-response', now(), d, d - interval '5 seconds', 'running', 'bench'
       FROM (SELECT g, now() + interval '8 seconds' + (g * ($2::float8 / $1::int) * interval '1 second') AS d FROM generate_series(1, $1::int) g) s`,
    [HOT, WINDOW_S],
  );
  await db.query('ANALYZE sla_clocks');
  const seeded = Date.now() - seedStart;
  const plan = (
    await db.query(
      `EXPLAIN SELECT id FROM sla_clocks WHERE status = 'running' AND deadline <= now() ORDER BY deadline LIMIT 500 FOR UPDATE SKIP LOCKED`,
    )
  ).rows
    .map((r: Record<string, string>) => r['QUERY PLAN'].trim())
    .find((l: string) => /Scan/.test(l));
  const wallStart = Date.now();
  await new Promise((r) => setTimeout(r, (WINDOW_S + 10) * 1000));
  for (const r of started) r.child.kill('SIGTERM');
  const results = await Promise.all(started.map((r) => r.result));
  const wallMs = Date.now() - wallStart;
  const late = async (sql: string) =>
    ((await db.query(sql)).rows as Array<{ ms: number }>).map((r) => Number(r.ms)).sort((a, b) => a - b);
  const breaches = await late(
    `SELECT extract(epoch FROM breached_at - deadline) * 1000 AS ms FROM sla_clocks WHERE complaint_id LIKE 'cmp_h%' AND status = 'breached'`,
  );
  const warnings = await late(
    `SELECT extract(epoch FROM warned_at - warn_at) * 1000 AS ms FROM sla_clocks WHERE complaint_id LIKE 'cmp_h%' AND warned_at IS NOT NULL`,
  );
  const {
    rows: [outbox],
  } = await db.query(
    `SELECT count(*)::int AS total, count(DISTINCT headers->>'klaxon-event-id')::int AS distinct FROM outbox`,
  );
  const {
    rows: [open],
  } = await db.query(`SELECT count(*)::int AS n FROM sla_clocks WHERE status = 'running'`);
  await db.end();
  const cpuMs = results.reduce((s, r) => s + (r.cpu.user + r.cpu.system) / 1000, 0);
  return {
    replicas,
    seeded,
    plan,
    breaches,
    warnings,
    outbox,
    open: open.n,
    cpuMs,
    wallMs,
    fired: results.reduce((s, r) => s + r.fired, 0),
  };
}

async function main(): Promise<void> {
  const pg = await startPostgresCluster();
  try {
    console.log(
      `bench:sla — ${OPEN.toLocaleString('en')} open clocks, ${HOT.toLocaleString('en')} falling due over ${WINDOW_S} s, scan interval ${INTERVAL} ms, batch 500`,
    );
    const rows = [];
    for (const replicas of [1, 2]) rows.push(await run((n) => pg.createDatabase(n), replicas));
    const f = (n: number) => (Number.isNaN(n) ? '-' : `${Math.round(n)} ms`);
    console.log(
      [
        'replicas',
        'breach p50',
        'breach p99',
        'breach max',
        'warning p50',
        'warning p99',
        'fired / expected',
        'distinct ids',
        'still open',
        'scheduler CPU (all replicas)',
      ].join(' | '),
    );
    for (const r of rows) {
      console.log(
        [
          r.replicas,
          f(pct(r.breaches, 50)),
          f(pct(r.breaches, 99)),
          f(r.breaches.at(-1) ?? NaN),
          f(pct(r.warnings, 50)),
          f(pct(r.warnings, 99)),
          `${r.fired} / ${HOT * 2}`,
          r.outbox.distinct === r.outbox.total
            ? `${r.outbox.distinct} (no duplicates)`
            : `${r.outbox.distinct} of ${r.outbox.total} DUPLICATES`,
          r.open,
          `${Math.round(r.cpuMs)} ms over ${Math.round(r.wallMs / 1000)} s = ${((r.cpuMs / r.wallMs) * 100).toFixed(1)} % of one core`,
        ].join(' | '),
      );
    }
    console.log(`breach claim plan with ${OPEN.toLocaleString('en')} open clocks: ${rows[0].plan}`);
    console.log(
      'Lateness = the moment of the pass that fired the alert (its transaction commits ms later) minus its due moment; the scan interval bounds it.',
    );
  } finally {
    await pg.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
