import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import * as contracts from '@klaxon/contracts';
import { runtimeEnvShape } from '@klaxon/platform/config';
import { ROOT } from './kubectl';

/** What the deploy tests read from the code: the apps, their ports, settings and consumer groups. */

/** `klaxon` is the all-in-one development app (`npm start`); it is never deployed. */
export const NOT_DEPLOYED = new Set(['klaxon']);

export function deployableApps(): string[] {
  return readdirSync(path.join(ROOT, 'apps'))
    .filter((d) => statSync(path.join(ROOT, 'apps', d)).isDirectory() && !NOT_DEPLOYED.has(d))
    .sort();
}

function tsFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return /\.ts$/.test(e) && !/\.spec\.ts$/.test(e) ? [p] : [];
  });
}

const read = (f: string) => readFileSync(f, 'utf8');

/**
 * The environment variables an app may read: the keys of the env shapes in apps/<app>/src and in
 * the stage libs it imports (`parseEnv({ NAME: zod… })`, `mailboxesFromEnv(process.env)` with its
 * shape), plus direct `process.env.NAME`. Whether the Deployment sets what is *required* is proved
 * by running the app's start-up against the Deployment's environment (deployment-env.spec.ts).
 */
export function appEnvNames(app: string): string[] {
  const own = tsFiles(path.join(ROOT, 'apps', app, 'src')).map(read);
  const libs = new Set(
    own
      .flatMap((s) => [...s.matchAll(/from '(@klaxon\/[^']+)'/g)].map((m) => m[1]))
      .filter((a) => !a.startsWith('@klaxon/platform/')),
  );
  const sources = [...own, ...[...libs].flatMap((alias) => tsFiles(libDirOf(alias)).map(read))];
  const names = new Set<string>();
  for (const src of sources) {
    for (const m of src.matchAll(/[{,]\s*([A-Z][A-Z0-9_]{2,})\s*:/g)) names.add(m[1]);
    for (const m of src.matchAll(/process\.env\.([A-Z][A-Z0-9_]+)/g)) names.add(m[1]);
  }
  return [...names];
}

function libDirOf(alias: string): string {
  const { compilerOptions } = JSON.parse(read(path.join(ROOT, 'tsconfig.base.json'))) as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  const target = compilerOptions.paths[alias]?.[0];
  if (!target) throw new Error(`no path alias ${alias} in tsconfig.base.json`);
  return path.dirname(path.join(ROOT, target));
}

/** Settings every app shares (libs/platform/config runtimeEnvShape); standalone apps need Kafka and PostgreSQL. */
export const RUNTIME_ENV = Object.keys(runtimeEnvShape);
export const RUNTIME_REQUIRED = ['KAFKA_BROKERS', 'DATABASE_URL'];
/** Read by Node itself or set for libraries, not by our config. */
export const PLATFORM_ENV = ['NODE_ENV', 'NODE_OPTIONS', 'DOTENV_CONFIG_QUIET'];

export function knownEnv(app: string): Set<string> {
  return new Set([...RUNTIME_ENV, ...PLATFORM_ENV, ...appEnvNames(app)]);
}

export function defaultPort(app: string): number {
  const main = read(path.join(ROOT, 'apps', app, 'src', 'main.ts'));
  const m = /defaultPort:\s*(\d+)/.exec(main);
  if (!m) throw new Error(`apps/${app}/src/main.ts passes no defaultPort to runApp`);
  return Number(m[1]);
}

export interface Consumption {
  group: string;
  topic: string;
  contract: string;
}

/**
 * The consumer groups an app runs: every `@ConsumeEvents(Contract, { group })` in the feature libs
 * its main.ts imports, with the group constant resolved and the topic taken from the contract.
 */
export function consumedBy(app: string): Consumption[] {
  const sources = tsFiles(path.join(ROOT, 'apps', app, 'src')).map(read);
  const features = new Set(
    sources.flatMap((s) => [...s.matchAll(/from '(@klaxon\/[a-z-]+\/feature)'/g)].map((m) => m[1])),
  );
  const out: Consumption[] = [];
  for (const alias of features) {
    const files = tsFiles(libDirOf(alias)).map(read);
    const constants = new Map<string, string>();
    for (const f of files)
      for (const m of f.matchAll(/const ([A-Z_]+)\s*=\s*('[^']*'|`[^`]*`)/g)) constants.set(m[1], m[2]);
    for (const f of files) {
      for (const m of f.matchAll(
        /@ConsumeEvents\(\s*(\w+)\s*,\s*\{\s*group:\s*('[^']*'|`[^`]*`|[A-Z_]+)\s*,?\s*\}\s*\)/g,
      )) {
        const contract = (contracts as unknown as Record<string, { topic?: string }>)[m[1]];
        if (!contract?.topic)
          throw new Error(
            `${alias}: @ConsumeEvents(${m[1]}) names no contract exported by @klaxon/contracts`,
          );
        out.push({ contract: m[1], topic: contract.topic, group: resolveGroup(m[2], constants, alias) });
      }
    }
  }
  return out;
}

function resolveGroup(expr: string, constants: Map<string, string>, where: string): string {
  const lookup = (name: string): string => {
    const v = constants.get(name);
    if (v === undefined) throw new Error(`${where}: cannot resolve consumer group constant ${name}`);
    return resolveGroup(v, constants, where);
  };
  let m: RegExpExecArray | null;
  if ((m = /^'([^']+)'$/.exec(expr))) return m[1];
  if ((m = /^([A-Z_]+)$/.exec(expr))) return lookup(m[1]);
  if ((m = /^`([^`]*)`$/.exec(expr))) return m[1].replace(/\$\{([A-Z_]+)\}/g, (_, n: string) => lookup(n));
  throw new Error(`${where}: cannot resolve consumer group expression ${expr}`);
}
