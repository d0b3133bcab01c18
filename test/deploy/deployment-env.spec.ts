import { spawn } from 'node:child_process';
import path from 'node:path';
import { deployableApps } from './support/apps';
import { ROOT, ofKind, renderOverlay, type K8sObject } from './support/kubectl';

// "Every variable an app's configuration requires is set in its Deployment", proved by running each
// app's real start-up (config validation included) with exactly the environment its production
// Deployment gives it — Secrets replaced by placeholders, PostgreSQL pointed at a closed port. The
// app must get past its configuration and fail only where it connects to the database.

const objects = renderOverlay('production');
const configMaps = new Map(ofKind(objects, 'ConfigMap').map((c) => [c.metadata.name, c.data ?? {}]));
const CLOSED_DATABASE = 'postgres://klaxon:placeholder@127.0.0.1:1/klaxon';

function deploymentEnv(deployment: K8sObject): Record<string, string> {
  const container = deployment.spec.template.spec.containers[0];
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) Object.assign(env, configMaps.get(from.configMapRef.name));
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef?.optional)
      continue; // the Secret may not exist: the app must start without it
    else if (e.valueFrom?.secretKeyRef)
      env[e.name] = e.name === 'DATABASE_URL' ? CLOSED_DATABASE : 'placeholder-secret';
    else throw new Error(`${deployment.metadata.name}: ${e.name} comes from neither a value nor a Secret`);
  }
  return env;
}

function startUp(app: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  // Only what a container has: the Deployment's variables and a PATH; nothing from this machine.
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', path.join('apps', app, 'src', 'main.ts')],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env, NODE_OPTIONS: '', HOST: '127.0.0.1', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

const apps = deployableApps();
let results: Map<string, { code: number | null; output: string }>;

beforeAll(async () => {
  const deployments = new Map(ofKind(objects, 'Deployment').map((d) => [d.metadata.name, d]));
  const runs = await Promise.all(
    apps
      .filter((a) => deployments.has(a))
      .map(async (a) => [a, await startUp(a, deploymentEnv(deployments.get(a)!))] as const),
  );
  results = new Map(runs);
}, 180_000);

it.each(apps)('%s starts with its Deployment environment up to the database connection', (app) => {
  const result = results.get(app);
  expect(result).toBeDefined();
  const fatal =
    result!.output.split('\n').find((l) => l.includes('"start-up failed"')) ?? result!.output.slice(-2000);
  expect([
    app,
    result!.code,
    /ECONNREFUSED 127\.0\.0\.1:1\b/.test(fatal) ? 'stopped at the database' : fatal,
  ]).toEqual([app, 1, 'stopped at the database']);
});
