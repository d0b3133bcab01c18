import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from './app-process';

const root = path.resolve(__dirname, '../../..');

export interface NpmStartProcess {
  url: string;
  /** The `npm` process (the leader of its own process group). */
  pid: number;
  output(): string;
  /** Sends `signal` to the npm process alone, as `kill <pid>` does. */
  signalNpm(signal: NodeJS.Signals): void;
  /** Sends `signal` to the whole process group, as a terminal's Ctrl+C or `kill -- -<pgid>` does. */
  signalGroup(signal: NodeJS.Signals): void;
  /** Resolves once no process of the group is left (npm, and the node process it started). */
  gone(timeoutMs: number): Promise<void>;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `npm start` exactly as a person types it, in a process group of its own, waited on until ready. */
export async function startNpmStart(
  env: Record<string, string>,
  readyTimeoutMs = 100_000,
): Promise<NpmStartProcess> {
  const port = await freePort();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: root,
    detached: true,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      DOTENV_CONFIG_QUIET: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid!;
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  const handle: NpmStartProcess = {
    url,
    pid,
    output: () => out,
    signalNpm: (signal) => {
      if (child.exitCode === null) process.kill(pid, signal);
    },
    signalGroup: (signal) => {
      if (groupAlive(pid)) process.kill(-pid, signal);
    },
    gone: async (timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (groupAlive(pid)) {
        if (Date.now() > deadline) {
          process.kill(-pid, 'SIGKILL');
          throw new Error(`npm start still running ${timeoutMs} ms after the signal:\n${out}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${out}`);
    try {
      const res = await fetch(`${url}/health/ready`);
      if (res.ok) return handle;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      handle.signalGroup('SIGKILL');
      throw new Error(`npm start was not ready within ${readyTimeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
