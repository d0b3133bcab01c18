import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  freePort,
  startKafkaMockCluster,
  startPostgresCluster,
  type KafkaMockCluster,
  type PostgresCluster,
} from '@klaxon/testing';
import { assembleImage, type AssembledImage } from './support/dockerfile';
import { ROOT } from './support/kubectl';

// No container engine runs here: this test builds the apps with Nx, assembles exactly what
// deploy/docker/Dockerfile copies (the build output and `npm ci --omit=dev` on its pruned
// package.json) in a temporary folder far from the monorepo, and runs it with plain `node` —
// the migration Job's command, then intake, two consumers (classifier with its model file, router)
// and the console (with its front-end) until their readiness probes
// answer 200, the image's HEALTHCHECK passes, and SIGTERM stops them cleanly.

const run = promisify(execFile);
const DOCKERFILE = path.join(ROOT, 'deploy/docker/Dockerfile');
/** npm's cache and installed node_modules keyed by lock file: the first run downloads, later runs copy. */
const CACHE = path.join(ROOT, 'node_modules/.cache/klaxon-image-test');
const APPS = { intake: 3000, classifier: 3001, router: 3002, console: 3006 } as const;
/** Docker build context per app: the Nx build output (the console's server build carries its front-end in web/). */
const CONTEXT: Record<string, string> = { console: 'dist/apps/console/image' };
/** What the app's ConfigMap sets beyond the common settings, with the image's /app as the test's folder. */
const APP_ENV: Record<string, (appDir: string) => Record<string, string>> = {
  console: (appDir) => ({ CONSOLE_WEB_ROOT: path.join(appDir, 'web') }),
};
type App = keyof typeof APPS;

const images = new Map<App, AssembledImage>();
let kafka: KafkaMockCluster;
let postgres: PostgresCluster;
let databaseUrl: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  // The Nx builds (one process, both apps), with the mock Kafka and PostgreSQL starting meanwhile.
  const build = run(
    'npx',
    [
      'nx',
      'run-many',
      '-t',
      'build',
      'build-server',
      '-p',
      ...Object.keys(APPS),
      '--skip-nx-cache',
      '--outputStyle=static',
    ],
    {
      cwd: ROOT,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  // allSettled: whatever did start is assigned, so afterAll stops it even when the other failed.
  const started = await Promise.allSettled([
    startKafkaMockCluster({ brokers: 1, startTimeoutMs: 60_000 }).then((k) => (kafka = k)),
    startPostgresCluster().then((p) => (postgres = p)),
    build,
  ]);
  for (const s of started) if (s.status === 'rejected') throw s.reason;
  databaseUrl = await postgres.createDatabase('klaxon_image');
  for (const [app, port] of Object.entries(APPS) as Array<[App, number]>) {
    images.set(
      app,
      assembleImage({
        dockerfile: DOCKERFILE,
        context: path.join(ROOT, CONTEXT[app] ?? `dist/apps/${app}`),
        buildArgs: { APP_PORT: String(port) },
        cacheDir: CACHE,
      }),
    );
  }
}, 420_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const image of images.values()) image.stop();
  await kafka?.stop();
  await postgres?.stop();
});

/** Only what the container has: the image's ENV, the Deployment's settings, a PATH. */
function containerEnv(image: AssembledImage, extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH!, ...image.env, ...extra };
}

function exec(
  image: AssembledImage,
  argv: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(argv[0] === 'node' ? process.execPath : argv[0], argv.slice(1), {
    cwd: image.appDir,
    env: containerEnv(image, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

function files(dir: string, skip = new Set<string>()): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = path.join(dir, e);
    if (skip.has(e)) return [];
    return statSync(p).isDirectory() ? files(p, skip).map((f) => `${e}/${f}`) : [e];
  });
}

it.each(Object.keys(APPS) as App[])(
  'the %s image holds the bundle and only production dependencies',
  (app) => {
    const image = images.get(app)!;
    const own = files(image.appDir, new Set(['node_modules'])).sort();
    expect(own).toEqual(expect.arrayContaining(['main.cjs', 'package.json', 'package-lock.json']));
    expect(own.filter((f) => /\.(map|ts)$|(^|\/)\.env/.test(f))).toEqual([]);
    const pkg = JSON.parse(readFileSync(path.join(image.appDir, 'package.json'), 'utf8'));
    expect(pkg.devDependencies).toBeUndefined();
    for (const dev of ['typescript', 'jest', '@swc/core', 'nx', 'esbuild', 'eslint', 'kubernetes-models']) {
      expect([dev, existsSync(path.join(image.appDir, 'node_modules', dev))]).toEqual([dev, false]);
    }
    expect(existsSync(path.join(image.appDir, 'node_modules', '@nestjs/core'))).toBe(true);
    // Workspace libs are bundled, not installed.
    expect(existsSync(path.join(image.appDir, 'node_modules', '@klaxon'))).toBe(false);
    expect(image.env.NODE_ENV).toBe('production');
    expect(image.user).toMatch(/^[1-9][0-9]*(:[1-9][0-9]*)?$/);
    expect(image.cmd).toEqual(['node', 'main.cjs']);
    expect(image.skippedRuns.every((r) => /^(groupadd|useradd|npm cache clean)/.test(r))).toBe(true);
  },
);

it('the classifier image carries its model where the bundled code looks for it', () => {
  const classifier = images.get('classifier')!;
  expect(
    existsSync(path.join(classifier.appDir, 'libs/classification/domain/model/klaxon-default.model.json')),
  ).toBe(true);
  expect(existsSync(path.join(classifier.appDir, 'node_modules/natural'))).toBe(true);
  expect(existsSync(path.join(classifier.appDir, 'node_modules/franc-min'))).toBe(true);
});

it('the console image carries its built front-end', () => {
  expect(existsSync(path.join(images.get('console')!.appDir, 'web/index.html'))).toBe(true);
});

it('the migration Job applies the schema once, and the wait-for-schema step then passes', async () => {
  const intake = images.get('intake')!;
  expect(existsSync(path.join(intake.appDir, 'migrate.cjs'))).toBe(true);
  const job = await exec(intake, ['node', 'migrate.cjs'], { DATABASE_URL: databaseUrl });
  expect([job.code, job.output]).toEqual([0, expect.stringContaining('migrations applied')]);
  const wait = await exec(intake, ['node', 'migrate.cjs', '--wait'], { DATABASE_URL: databaseUrl });
  expect([wait.code, wait.output]).toEqual([0, expect.stringContaining('schema is up to date')]);
}, 60_000);

interface Running {
  port: number;
  env: Record<string, string>;
  child: ChildProcess;
  exited: Promise<{ code: number | null; output: string }>;
  ready: Promise<void>;
}

describe('each image, started with plain node', () => {
  const running = new Map<App, Running>();

  // All start at once (as they would in a cluster); each test then checks its own.
  beforeAll(async () => {
    for (const app of Object.keys(APPS) as App[]) {
      const image = images.get(app)!;
      const port = await freePort();
      const env = {
        ...kafka.appEnv,
        DATABASE_URL: databaseUrl,
        DATABASE_MIGRATE: 'false',
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        ...APP_ENV[app]?.(image.appDir),
      };
      const exited = exec(image, image.cmd, env);
      const child = children[children.length - 1];
      running.set(app, { port, env, child, exited, ready: waitReady(app, port, child, exited) });
    }
    // Settle every readiness wait here so none is left unhandled; each test reports its own.
    await Promise.allSettled([...running.values()].map((r) => r.ready));
  }, 90_000);

  it.each(Object.keys(APPS) as App[])(
    '%s becomes ready, serves /metrics, passes the image HEALTHCHECK and stops on SIGTERM',
    async (app) => {
      const { port, env, child, exited, ready } = running.get(app)!;
      await ready;
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
      if (app === 'console') {
        // The front-end comes from the image's web/ folder (CONSOLE_WEB_ROOT), not from a build at start.
        const page = await fetch(`http://127.0.0.1:${port}/console/`);
        expect([page.status, await page.text()]).toEqual([200, expect.stringContaining('<div id="root">')]);
      }
      const image = images.get(app)!;
      const health = await exec(image, image.healthcheck!, env);
      expect(health.code).toBe(0);

      child.kill('SIGTERM');
      const { code, output } = await exited;
      expect([code, output]).toEqual([0, expect.not.stringMatching(/"level":"(error|fatal)"/)]);
    },
    60_000,
  );
});

async function waitReady(
  app: string,
  port: number,
  child: ChildProcess,
  exited: Promise<{ code: number | null; output: string }>,
): Promise<void> {
  const deadline = Date.now() + 75_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${app} exited with ${child.exitCode}:\n${(await exited).output}`);
    if (Date.now() > deadline) throw new Error(`${app} was not ready within 75 s`);
    const status = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}
