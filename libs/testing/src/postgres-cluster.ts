import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from './app-process';

export interface PostgresCluster {
  host: string;
  port: number;
  /** Creates a fresh database in this cluster and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown: sessions are cut), keeping its data: an outage, until `resume`. */
  halt(): Promise<void>;
  /** Starts the halted server again on the same port and data, and waits until it accepts connections. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

function postgresBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'initdb')))
    : [];
  if (versions.length === 0)
    throw new Error('PostgreSQL server binaries not found: apt-get install -y postgresql');
  return path.join(base, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/** Runs a command as the `postgres` user when we are root (PostgreSQL refuses to run as root). */
function asPostgres(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

/**
 * A throwaway PostgreSQL cluster of the test's own (initdb + postgres on a free loopback port, fsync
 * off). The server is started under a watchdog that stops it when this process dies, so a killed
 * test run leaves nothing behind.
 */
export async function startPostgresCluster(
  options: { settings?: Record<string, string> } = {},
): Promise<PostgresCluster> {
  const bin = postgresBin();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-pg-'));
  const dataDir = path.join(dir, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const [initCmd, initArgs] = asPostgres(path.join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ]);
  execFileSync(initCmd, initArgs, { stdio: 'pipe' });

  const port = await freePort();
  const postgresArgs = [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=200',
    '-c',
    'shared_buffers=64MB',
    ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
  ];
  const [cmd, args] = asPostgres(path.join(bin, 'postgres'), postgresArgs);
  // The watchdog: postgres runs in the background of a shell that waits on its stdin; when this
  // process exits (cleanly or not) the pipe closes and the shell stops the server with pg_ctl
  // (a signal to runuser would not reach postgres).
  const [stopCmd, stopArgs] = asPostgres(path.join(bin, 'pg_ctl'), [
    '-D',
    dataDir,
    '-m',
    'fast',
    '-w',
    'stop',
  ]);
  const watchdog = spawn(
    'sh',
    [
      '-c',
      '"$0" "$@" </dev/null >/dev/null 2>&1 & read _; $KLAXON_PG_STOP >/dev/null 2>&1; wait',
      cmd,
      ...args,
    ],
    {
      stdio: ['pipe', 'ignore', 'ignore'],
      env: { ...process.env, KLAXON_PG_STOP: [stopCmd, ...stopArgs].join(' ') },
    },
  );
  const exited = new Promise<void>((resolve) => watchdog.once('exit', () => resolve()));

  const accepting = async (): Promise<void> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
      try {
        await client.connect();
        await client.end();
        return;
      } catch (error) {
        await client.end().catch(() => undefined);
        if (watchdog.exitCode !== null || Date.now() > deadline)
          throw new Error(`PostgreSQL did not start on port ${port}: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  try {
    await accepting();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  // A restarted server runs under pg_ctl, not the watchdog's shell; the watchdog's `pg_ctl stop` is by
  // data directory, so it still stops it when this process ends.
  const pgCtl = (...a: string[]) => {
    const [c, ca] = asPostgres(path.join(bin, 'pg_ctl'), ['-D', dataDir, ...a]);
    execFileSync(c, ca, { stdio: 'ignore' });
  };

  return {
    host: '127.0.0.1',
    port,
    async createDatabase(name: string): Promise<string> {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      const admin = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async halt(): Promise<void> {
      pgCtl('-m', 'fast', '-w', 'stop');
    },
    async resume(): Promise<void> {
      pgCtl('-w', '-l', '/dev/null', '-o', postgresArgs.slice(2).join(' '), 'start');
      await accepting();
    },
    async stop(): Promise<void> {
      watchdog.stdin?.end();
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
