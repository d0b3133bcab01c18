import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { startPostgresCluster, type PostgresCluster } from '@klaxon/testing';
import { createDataSource, runMigrations } from '@klaxon/platform/persistence';

// Two sla scheduler replicas as real processes on one real PostgreSQL; one is SIGKILLed mid-work and
// replaced. Every due warning, breach and escalation must be in the outbox exactly once.
jest.setTimeout(240_000);

const ROOT = path.resolve(__dirname, '../../../..');
const WARNINGS = 1_500;
const BREACHES = 1_500;
const EXPECTED = WARNINGS + BREACHES * 3; // each breach is followed by team-lead and executive escalations, both due

let pg: PostgresCluster;
let ds: DataSource;
let url: string;
const children: ChildProcess[] = [];
const crashed: string[] = [];
const wait = async () => {
  if (crashed.length) throw new Error(crashed.join('; '));
  await new Promise((r) => setTimeout(r, 20));
};

function replica(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'tools/sla-replica.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, SLA_SCAN_BATCH_SIZE: '50', SLA_SCAN_INTERVAL_MS: '20' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  child.once(
    'exit',
    (code, signal) => signal !== 'SIGKILL' && code !== 0 && crashed.push(`replica exited with ${code}`),
  );
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`replica exited early (${code})`)));
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(child));
  });
}

const count = async (sql: string): Promise<number> => Number((await ds.query(sql))[0].n);
const alertsInOutbox = () => count(`SELECT count(*) AS n FROM outbox WHERE topic = 'klaxon.sla.alerts.v1'`);
const stillDue = () =>
  count(`SELECT (SELECT count(*) FROM sla_clocks WHERE status = 'running' AND (deadline <= now() OR (warned_at IS NULL AND warn_at <= now())))
              + (SELECT count(*) FROM sla_escalations WHERE status = 'pending' AND due_at <= now()) AS n`);

beforeAll(async () => {
  pg = await startPostgresCluster();
  url = await pg.createDatabase('sla_replicas');
  ds = createDataSource({ url, poolMax: 2 });
  await ds.initialize();
  await runMigrations(ds);
  await ds.query(`INSERT INTO sla_clocks (complaint_id, clock, started_at, deadline, warn_at, status, team_id)
                  SELECT 'cmp_warn' || lpad(g::text, 16, '0'), 'first-response', now() - interval '2 hours', now() + interval '1 day', now() - interval '1 minute', 'running', 't'
                    FROM generate_series(1, ${WARNINGS}) g`);
  await ds.query(`INSERT INTO sla_clocks (complaint_id, clock, started_at, deadline, warn_at, status, team_id)
                  SELECT 'cmp_late' || lpad(g::text, 16, '0'), 'first-response', now() - interval '9 hours', now() - interval '6 hours', now() - interval '7 hours', 'running', 't'
                    FROM generate_series(1, ${BREACHES}) g`);
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await ds?.destroy();
  await pg?.stop();
});

it('fires every alert exactly once with two replicas, one of them killed mid-work and restarted', async () => {
  const [a] = await Promise.all([replica(), replica()]);
  // Kill A while the work is under way: its open transaction is rolled back by PostgreSQL.
  while ((await alertsInOutbox()) < 300) await wait();
  a.removeAllListeners('exit');
  a.kill('SIGKILL');
  const atKill = await alertsInOutbox();
  expect(atKill).toBeLessThan(EXPECTED);
  await replica();
  while ((await stillDue()) > 0) await wait();

  const [{ total, distinct }] = await ds.query(
    `SELECT count(*)::int AS total, count(DISTINCT headers->>'klaxon-event-id')::int AS distinct FROM outbox WHERE topic = 'klaxon.sla.alerts.v1'`,
  );
  expect({ total, distinct }).toEqual({ total: EXPECTED, distinct: EXPECTED });
  const kinds = (await ds.query(
    `SELECT kind, count(*)::int AS n FROM complaint_history WHERE kind LIKE 'sla-%' GROUP BY kind ORDER BY kind`,
  )) as Array<{ kind: string; n: number }>;
  expect(kinds).toEqual([
    { kind: 'sla-breach', n: BREACHES },
    { kind: 'sla-escalation', n: BREACHES * 2 },
    { kind: 'sla-warning', n: WARNINGS },
  ]);
});
