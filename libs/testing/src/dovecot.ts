import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createConnection } from 'node:net';
import path from 'node:path';
import { freePort } from './app-process';
import { createSelfSignedCertificate } from './self-signed-certificate';

const DOVECOT = '/usr/sbin/dovecot';
const LDA = '/usr/lib/dovecot/dovecot-lda';
const NOBODY = 65534;

export interface DovecotOptions {
  user?: string;
  password?: string;
  /** Open IMAP sessions allowed per user and IP (Dovecot's default of 10 is too low for tests). */
  maxConnections?: number;
}

export interface RunningDovecot {
  host: string;
  /** Plain IMAP, STARTTLS offered. */
  port: number;
  /** Implicit TLS (IMAPS). */
  tlsPort: number;
  /** PEM of the self-signed certificate the server presents (CN/SAN 127.0.0.1, localhost). */
  ca: string;
  user: string;
  password: string;
  /** Delivers one message as incoming mail through dovecot-lda (no SMTP involved). */
  deliver(eml: string | Buffer, folder?: string): Promise<void>;
  /** Stops and starts the server on the same ports with the same mail store (clients get disconnected). */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** Dovecot's own log, for failure messages. */
  log(): string;
}

function run(
  file: string,
  args: string[],
  input?: string | Buffer,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error)
        reject(new Error(`${path.basename(file)} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline)
          reject(new Error(`dovecot did not listen on ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 30);
      });
    };
    attempt();
  });
}

function chownTree(dir: string): void {
  chownSync(dir, NOBODY, NOBODY);
}

/**
 * A real Dovecot IMAP server on loopback with one user, run from a config file of its own
 * (docs/stack-notes.md, "IMAP"): plain + STARTTLS on `port`, implicit TLS on `tlsPort`, IDLE, UIDPLUS, MOVE.
 */
export async function startDovecot(options: DovecotOptions = {}): Promise<RunningDovecot> {
  if (!existsSync(DOVECOT) || !existsSync(LDA)) {
    throw new Error(
      'Dovecot is not installed: run `apt-get install -y dovecot-imapd` (tests need a real IMAP server)',
    );
  }
  const user = options.user ?? 'complaints';
  const password = options.password ?? 'secret-imap-password';
  // base_dir holds UNIX sockets (≤ 108 bytes per path): keep it short.
  const dir = mkdtempSync('/tmp/dv-');
  chmodSync(dir, 0o755);
  const baseDir = path.join(dir, 'r');
  const stateDir = path.join(dir, 's');
  const mailRoot = path.join(dir, 'm');
  for (const d of [baseDir, stateDir]) mkdirSync(d, { mode: 0o755 });
  mkdirSync(mailRoot, { mode: 0o755 });
  chownTree(mailRoot);

  const { certFile, keyFile, cert: ca } = createSelfSignedCertificate(dir);
  chmodSync(keyFile, 0o644);

  // The auth process runs as the `dovecot` user: the passwd-file must be world-readable.
  const passwdFile = path.join(dir, 'passwd');
  writeFileSync(passwdFile, `${user}:{PLAIN}${password}::::::\n`, { mode: 0o644 });
  chmodSync(passwdFile, 0o644);

  const [port, tlsPort] = [await freePort(), await freePort()];
  const logFile = path.join(dir, 'dovecot.log');
  writeFileSync(logFile, '', { mode: 0o666 });
  chmodSync(logFile, 0o666);
  const configFile = path.join(dir, 'dovecot.conf');
  writeFileSync(
    configFile,
    `base_dir = ${baseDir}
state_dir = ${stateDir}
log_path = ${logFile}
info_log_path = ${logFile}
protocols = imap
shutdown_clients = yes
listen = 127.0.0.1
ssl = yes
ssl_cert = <${certFile}
ssl_key = <${keyFile}
ssl_dh = </usr/share/dovecot/dh.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${mailRoot}/%u
mail_privileged_group =
first_valid_uid = ${NOBODY}
last_valid_uid = ${NOBODY}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${passwdFile}
}
userdb {
  driver = static
  args = uid=${NOBODY} gid=${NOBODY} home=${mailRoot}/%u
}
protocol imap {
  mail_max_userip_connections = ${options.maxConnections ?? 200}
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${tlsPort}
    ssl = yes
  }
}
service auth {
  unix_listener auth-userdb {
    mode = 0666
  }
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
lda_mailbox_autocreate = yes
lda_mailbox_autosubscribe = yes
`,
  );

  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    // Own process group: stopping kills the master and every imap/auth child, so clients really lose the server.
    const proc = spawn(DOVECOT, ['-F', '-c', configFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child = proc;
    try {
      await Promise.race([
        Promise.all([waitForPort(port, 10_000), waitForPort(tlsPort, 10_000)]),
        new Promise((_, reject) =>
          proc.once('exit', (code) =>
            reject(new Error(`dovecot exited with ${code}: ${stderr}\n${readLog()}`)),
          ),
        ),
      ]);
    } catch (error) {
      proc.kill('SIGKILL');
      throw error;
    }
  };
  const halt = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    const signalGroup = (signal: NodeJS.Signals): void => {
      try {
        process.kill(-proc.pid!, signal);
      } catch {
        // already gone
      }
    };
    signalGroup('SIGTERM');
    const timer = setTimeout(() => signalGroup('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    signalGroup('SIGKILL'); // children that outlived the master (sessions in IDLE)
  };
  const readLog = (): string => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };

  await launch();
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    tlsPort,
    ca,
    user,
    password,
    log: readLog,
    async deliver(eml, folder) {
      // -e: report a failure as an error instead of bouncing through a sendmail that is not there.
      const args = ['-c', configFile, '-d', user, '-e', ...(folder ? ['-m', folder] : [])];
      await run(LDA, args, eml);
    },
    async restart() {
      await halt();
      await launch();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
