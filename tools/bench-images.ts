/**
 * npm run bench:images [-- --apps intake,classifier,router,sla]
 *
 * What the production images cost and how they start, side by side with running the same app from
 * source (`node -r @swc-node/register`, as `nx serve` does): bundle and dependency size, time from
 * `node` to a 200 on /health/ready, and resident memory once ready — the figures the Deployments'
 * requests/limits and the README's capacity section are sized from. Builds with Nx, assembles each
 * image exactly as test/deploy/image-contents.int.spec.ts does (deploy/docker/Dockerfile), and runs
 * everything against the Kafka mock cluster and a throwaway PostgreSQL.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { freePort, startKafkaMockCluster, startPostgresCluster } from '@klaxon/testing';
import { assembleImage } from '../test/deploy/support/dockerfile';

const ROOT = path.resolve(__dirname, '..');
const PORTS: Record<string, number> = { intake: 3000, classifier: 3001, router: 3002, sla: 3003 };
const { values } = parseArgs({
  options: { apps: { type: 'string', default: 'intake,classifier,router,sla' } },
});
const apps = values.apps!.split(',').filter(Boolean);

const kib = (dir: string) => Number(execFileSync('du', ['-sk', dir], { encoding: 'utf8' }).split('\t')[0]);

async function measure(
  command: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ readyMs: number; rssMiB: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(command[0], command.slice(1), {
    cwd,
    env: { PATH: process.env.PATH!, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${command.join(' ')} exited ${child.exitCode}: ${err}`);
      const status = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      if (performance.now() - started > 120_000) throw new Error(`not ready in 120 s: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const readyMs = performance.now() - started;
    await new Promise((r) => setTimeout(r, 3_000)); // settle: consumers joined, first fetches done
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1];
    return { readyMs, rssMiB: Number(rss) / 1024 };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

async function main(): Promise<void> {
  process.stdout.write(`building ${apps.join(', ')} with Nx …\n`);
  execFileSync(
    'npx',
    ['nx', 'run-many', '-t', 'build', '-p', ...apps, '--skip-nx-cache', '--outputStyle=static'],
    {
      cwd: ROOT,
      stdio: 'ignore',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    },
  );
  const [kafka, postgres] = await Promise.all([
    startKafkaMockCluster({ brokers: 3, startTimeoutMs: 60_000 }),
    startPostgresCluster(),
  ]);
  const rows: Record<string, Record<string, string | number>> = {};
  try {
    const url = await postgres.createDatabase('klaxon_bench_images');
    const env = {
      KAFKA_BROKERS: kafka.brokers.join(','),
      KAFKA_IDEMPOTENT_PRODUCER: 'false',
      DATABASE_URL: url,
      LOG_LEVEL: 'warn',
      DOTENV_CONFIG_QUIET: 'true',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '500',
      KAFKA_REBALANCE_TIMEOUT_MS: '6000',
      KAFKA_MAX_WAIT_MS: '100',
    };
    execFileSync(process.execPath, ['-r', '@swc-node/register', 'apps/intake/src/migrate.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url },
      stdio: 'ignore',
    });
    for (const app of apps) {
      process.stdout.write(`measuring ${app} …\n`);
      const image = assembleImage({
        dockerfile: path.join(ROOT, 'deploy/docker/Dockerfile'),
        context: path.join(ROOT, 'dist/apps', app),
        buildArgs: { APP_PORT: String(PORTS[app] ?? 3000) },
        cacheDir: path.join(ROOT, 'node_modules/.cache/klaxon-image-test'),
      });
      try {
        const deps = Object.keys(
          JSON.parse(readFileSync(path.join(image.appDir, 'package.json'), 'utf8')).dependencies ?? {},
        ).length;
        const fromImage = await measure([process.execPath, ...image.cmd.slice(1)], image.appDir, {
          ...image.env,
          ...env,
          DATABASE_MIGRATE: 'false',
        });
        const fromSource = await measure(
          [process.execPath, '-r', '@swc-node/register', `apps/${app}/src/main.ts`],
          ROOT,
          { ...env, DATABASE_MIGRATE: 'false' },
        );
        rows[app] = {
          'bundle KiB': Math.round(statSync(path.join(image.appDir, 'main.cjs')).size / 1024),
          'direct deps': deps,
          'node_modules MiB': Math.round(kib(path.join(image.appDir, 'node_modules')) / 1024),
          'image: ready ms': Math.round(fromImage.readyMs),
          'image: RSS MiB': Math.round(fromImage.rssMiB),
          'source: ready ms': Math.round(fromSource.readyMs),
          'source: RSS MiB': Math.round(fromSource.rssMiB),
        };
      } finally {
        image.stop();
      }
    }
  } finally {
    await kafka.stop();
    await postgres.stop();
  }
  process.stdout.write(
    '\nproduction image (plain node, pruned deps) vs. from source (swc-node), one process each, idle after ready:\n',
  );
  console.table(rows);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
