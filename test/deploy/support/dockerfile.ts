import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Reads deploy/docker/Dockerfile and carries out what it does to the file system — the stages, their
 * WORKDIR, every COPY (from the build context, minus Dockerfile.dockerignore, or from an earlier
 * stage) and every `npm …` RUN — into a temporary folder per stage. What lands in the final stage's
 * WORKDIR is what the image holds; its ENV, USER, HEALTHCHECK and CMD are returned to run it.
 * RUN steps that only prepare the OS (user accounts) are listed as skipped.
 */
export interface Instruction {
  op: string;
  args: string;
}

export interface AssembledImage {
  /** The final stage's WORKDIR on this machine. */
  appDir: string;
  env: Record<string, string>;
  user: string | undefined;
  cmd: string[];
  healthcheck: string[] | undefined;
  skippedRuns: string[];
  stop(): void;
}

export function parseDockerfile(text: string): Instruction[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw) && !pending) continue;
    const line = raw.replace(/\s+$/, '');
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full) lines.push(full);
  }
  return lines.map((l) => {
    const m = /^(\w+)\s+(.*)$/.exec(l);
    if (!m) throw new Error(`cannot read Dockerfile line: ${l}`);
    return { op: m[1].toUpperCase(), args: m[2] };
  });
}

function ignoreMatcher(patterns: string[]): (rel: string) => boolean {
  const res = patterns.map((p) => {
    const glob = p.replace(/^\*\*\//, '');
    const re = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
    return new RegExp(`(^|/)${re}(/|$)`);
  });
  return (rel) => res.some((r) => r.test(rel));
}

const substitute = (s: string, vars: Record<string, string>) =>
  s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string, b: string) => vars[a ?? b] ?? '');

export interface AssembleOptions {
  dockerfile: string;
  context: string;
  buildArgs?: Record<string, string>;
  /** npm's cache, and finished `npm` RUN results keyed by their inputs: reused across runs. */
  cacheDir: string;
}

export function assembleImage(options: AssembleOptions): AssembledImage {
  const instructions = parseDockerfile(readFileSync(options.dockerfile, 'utf8'));
  const ignorePath = `${options.dockerfile}.dockerignore`;
  const ignored = ignoreMatcher(
    existsSync(ignorePath)
      ? readFileSync(ignorePath, 'utf8')
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l && !l.startsWith('#'))
      : [],
  );
  const root = execFileSync('mktemp', ['-d', path.join(os.tmpdir(), 'klaxon-image-XXXXXX')], {
    encoding: 'utf8',
  }).trim();
  const globalArgs: Record<string, string> = {};
  const stages = new Map<string, string>();
  let stageRoot = '';
  let workdir = '/';
  let vars: Record<string, string> = {};
  let env: Record<string, string> = {};
  let user: string | undefined;
  let cmd: string[] = [];
  let healthcheck: string[] | undefined;
  const skippedRuns: string[] = [];
  const inStage = (p: string) => path.join(stageRoot, path.posix.resolve(workdir, p));

  for (const { op, args } of instructions) {
    if (op === 'ARG') {
      const [name, def = ''] = args.split('=');
      const value = options.buildArgs?.[name] ?? substitute(def, { ...globalArgs, ...vars });
      if (!stageRoot) globalArgs[name] = value;
      else vars[name] = value;
    } else if (op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)!;
      stageRoot = path.join(root, m[2] ?? `stage${stages.size}`);
      mkdirSync(stageRoot, { recursive: true });
      stages.set(m[2] ?? String(stages.size), stageRoot);
      ({ workdir, vars, env, user, cmd, healthcheck } = {
        workdir: '/',
        vars: {},
        env: {},
        user: undefined,
        cmd: [],
        healthcheck: undefined,
      });
    } else if (op === 'WORKDIR') {
      workdir = path.posix.resolve(workdir, substitute(args, { ...vars, ...env }));
      mkdirSync(inStage('.'), { recursive: true });
    } else if (op === 'ENV') {
      const m = /^(\w+)=(.*)$/.exec(args)!;
      env[m[1]] = substitute(m[2], { ...globalArgs, ...vars, ...env });
    } else if (op === 'COPY') {
      const parts = args.split(/\s+/);
      const flags = parts.filter((p) => p.startsWith('--'));
      const paths = parts.filter((p) => !p.startsWith('--'));
      const dest = paths.pop()!;
      const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
      const sourceRoot = from ? stages.get(from) : options.context;
      if (!sourceRoot) throw new Error(`COPY --from=${from}: no such stage`);
      // Docker's rules: a directory's contents go into dest; a file goes to dest/ (or is named dest).
      const keep = (rel: string) => !!from || !ignored(rel);
      for (const src of paths) {
        const abs = path.join(sourceRoot, src);
        const rel = path.posix.normalize(src).replace(/^\/|^\.$/g, '');
        if (statSync(abs).isDirectory()) {
          for (const entry of readdirSync(abs))
            copyFiltered(
              path.join(abs, entry),
              path.join(inStage(dest), entry),
              keep,
              rel ? `${rel}/${entry}` : entry,
            );
        } else if (keep(rel)) {
          const target = dest.endsWith('/') ? path.join(inStage(dest), path.basename(src)) : inStage(dest);
          mkdirSync(path.dirname(target), { recursive: true });
          cpSync(abs, target);
        }
      }
    } else if (op === 'RUN') {
      for (const step of args.split('&&').map((s) => s.trim())) {
        if (!step.startsWith('npm ')) {
          skippedRuns.push(step);
        } else if (/^npm cache clean/.test(step)) {
          skippedRuns.push(`${step} (the test keeps its npm cache between runs)`);
        } else {
          runNpmCached(step, inStage('.'), options.cacheDir);
        }
      }
    } else if (op === 'USER') {
      user = args;
    } else if (op === 'CMD') {
      cmd = JSON.parse(args) as string[];
    } else if (op === 'HEALTHCHECK') {
      const m = /CMD\s+(\[.*\])\s*$/.exec(args);
      healthcheck = m ? (JSON.parse(m[1]) as string[]) : undefined;
    } else if (op !== 'EXPOSE' && op !== 'LABEL') {
      throw new Error(`the Dockerfile uses ${op}, which the image-contents test does not reproduce`);
    }
  }
  return {
    appDir: inStage('.'),
    env,
    user,
    cmd,
    healthcheck,
    skippedRuns,
    stop: () => rmSync(root, { recursive: true, force: true }),
  };
}

function copyFiltered(src: string, dest: string, keep: (rel: string) => boolean, rel: string): void {
  if (!keep(rel)) return;
  if (statSync(src).isDirectory()) {
    mkdirSync(dest, { recursive: true });
    for (const e of readdirSync(src))
      copyFiltered(path.join(src, e), path.join(dest, e), keep, `${rel}/${e}`);
  } else {
    mkdirSync(path.dirname(dest), { recursive: true });
    cpSync(src, dest);
  }
}

/** Runs an `npm` step in `dir`; the node_modules it produces is cached under the hash of its inputs. */
function runNpmCached(step: string, dir: string, cacheDir: string): void {
  const inputs = ['package.json', 'package-lock.json'].map((f) =>
    existsSync(path.join(dir, f)) ? readFileSync(path.join(dir, f), 'utf8') : '',
  );
  const key = createHash('sha256')
    .update([step, process.version, ...inputs].join('\0'))
    .digest('hex')
    .slice(0, 24);
  const cached = path.join(cacheDir, 'node_modules', key);
  if (!existsSync(cached)) {
    const argv = step.split(/\s+/).slice(1);
    execFileSync(
      'npm',
      [...argv, '--cache', path.join(cacheDir, 'npm'), '--prefer-offline', '--loglevel=error'],
      {
        cwd: dir,
        stdio: 'pipe',
        env: { PATH: process.env.PATH, HOME: process.env.HOME ?? os.homedir() },
        timeout: 300_000,
      },
    );
    mkdirSync(path.dirname(cached), { recursive: true });
    const staging = `${cached}.${process.pid}`;
    execFileSync('cp', ['-a', path.join(dir, 'node_modules'), staging]);
    rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
    renameSync(staging, cached);
    pruneCache(path.dirname(cached), 4);
  }
  // A link to the cached install (read-only use): the same tree `npm ci` produced, without copying
  // 50,000 files on every run. Node resolves every package and its dependencies inside it.
  symlinkSync(cached, path.join(dir, 'node_modules'), 'dir');
  utimesSync(cached, new Date(), new Date());
}

/** Keeps the most recently used installs (each lock file change makes a new one). */
function pruneCache(dir: string, keep: number): void {
  const entries = readdirSync(dir)
    .filter((e) => /^[0-9a-f]{24}$/.test(e))
    .map((e) => ({ p: path.join(dir, e), t: statSync(path.join(dir, e)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const old of entries.slice(keep)) rmSync(old.p, { recursive: true, force: true });
}
