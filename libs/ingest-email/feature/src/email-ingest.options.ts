import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** One watched folder of one IMAP account, fully resolved. */
export interface MailboxConfig {
  /** Stable name used in source ids, metrics, logs and the checkpoint table (`user@host/FOLDER`). */
  name: string;
  host: string;
  port: number;
  /** `tls`: implicit TLS (993); `starttls`: upgrade is required; `none`: plain text, loopback/testing only. */
  secure: 'tls' | 'starttls' | 'none';
  user: string;
  password?: string;
  /** OAuth2 bearer token (XOAUTH2), instead of a password. */
  accessToken?: string;
  folder: string;
  /** Folder to move processed mail to; unset: mark it \Seen and leave it. */
  moveTo?: string;
  /** Fallback check interval; new mail normally arrives through IDLE at once. */
  pollIntervalMs: number;
  /** Extra CA certificates (PEM) to trust, e.g. a company CA; otherwise Node's trust store. */
  ca?: string;
  rejectUnauthorized: boolean;
  /** Messages larger than this are not downloaded: their headers become the complaint, the body a note. */
  maxMessageBytes: number;
  /** Messages per fetch → publish → checkpoint round during backfill. */
  batchSize: number;
  reconnect: { initialMs: number; maxMs: number };
}

const secure = z.enum(['tls', 'starttls', 'none']);
const positiveInt = z.coerce.number().int().positive();

const accountSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    host: z.string().min(1),
    port: z.coerce.number().int().min(1).max(65535).optional(),
    secure: secure.default('tls'),
    user: z.string().min(1),
    password: z.string().min(1).optional(),
    accessToken: z.string().min(1).optional(),
    /** Folders to watch (one worker each). */
    folders: z.array(z.string().min(1)).min(1).optional(),
    folder: z.string().min(1).optional(),
    moveTo: z.string().min(1).optional(),
    pollIntervalMs: positiveInt.default(30_000),
    ca: z.string().optional(),
    caFile: z.string().optional(),
    rejectUnauthorized: z.boolean().default(true),
    maxMessageBytes: positiveInt.default(50 * 1024 * 1024),
    batchSize: positiveInt.max(1000).default(200),
    reconnectInitialMs: positiveInt.default(1_000),
    reconnectMaxMs: positiveInt.default(60_000),
  })
  .refine((a) => Boolean(a.password) !== Boolean(a.accessToken), {
    message: 'give exactly one of password or accessToken',
  });
export type MailboxAccount = z.input<typeof accountSchema>;

function resolve(a: z.output<typeof accountSchema>): MailboxConfig[] {
  const folders = a.folders ?? [a.folder ?? 'INBOX'];
  const ca = a.ca ?? (a.caFile ? readFileSync(a.caFile, 'utf8') : undefined);
  return folders.map((folder) => ({
    name: folders.length === 1 && a.name ? a.name : `${a.name ?? `${a.user}@${a.host}`}/${folder}`,
    host: a.host,
    port: a.port ?? (a.secure === 'tls' ? 993 : 143),
    secure: a.secure,
    user: a.user,
    ...(a.password ? { password: a.password } : {}),
    ...(a.accessToken ? { accessToken: a.accessToken } : {}),
    folder,
    ...(a.moveTo ? { moveTo: a.moveTo } : {}),
    pollIntervalMs: a.pollIntervalMs,
    ...(ca ? { ca } : {}),
    rejectUnauthorized: a.rejectUnauthorized,
    maxMessageBytes: a.maxMessageBytes,
    batchSize: a.batchSize,
    reconnect: { initialMs: a.reconnectInitialMs, maxMs: Math.max(a.reconnectMaxMs, a.reconnectInitialMs) },
  }));
}

export class EmailConfigError extends Error {
  readonly code = 'config-invalid';
  constructor(message: string) {
    super(message);
    this.name = 'EmailConfigError';
  }
}

const describe = (e: z.ZodError, prefix: string): string =>
  e.issues.map((i) => `${prefix}${i.path.join('.')}: ${i.message}`).join('; ');

/** Validates mailbox accounts (from JSON or code) and expands them to one MailboxConfig per folder. */
export function resolveMailboxes(accounts: unknown[]): MailboxConfig[] {
  const out: MailboxConfig[] = [];
  accounts.forEach((raw, index) => {
    const parsed = accountSchema.safeParse(raw);
    if (!parsed.success) throw new EmailConfigError(`mailbox ${index}: ${describe(parsed.error, '')}`);
    out.push(...resolve(parsed.data));
  });
  const names = out.map((m) => m.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new EmailConfigError(`mailbox name ${twice} is configured twice`);
  return out;
}

const envSchema = z.object({
  IMAP_HOST: z.string().optional(),
  IMAP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  IMAP_SECURE: secure.default('tls'),
  IMAP_USER: z.string().optional(),
  IMAP_PASSWORD: z.string().optional(),
  IMAP_ACCESS_TOKEN: z.string().optional(),
  IMAP_MAILBOX: z.string().default('INBOX'),
  IMAP_MOVE_TO: z.string().optional(),
  IMAP_POLL_INTERVAL_MS: positiveInt.default(30_000),
  IMAP_TLS_CA_FILE: z.string().optional(),
  IMAP_TLS_REJECT_UNAUTHORIZED: z.enum(['true', 'false']).default('true'),
  IMAP_MAILBOXES_JSON: z.string().optional(),
  IMAP_MAILBOXES_FILE: z.string().optional(),
});

/**
 * The mailboxes configured in an environment (the app passes `process.env`, once, at start-up):
 * one account from IMAP_HOST/IMAP_PORT/IMAP_SECURE/IMAP_USER/IMAP_PASSWORD (or IMAP_ACCESS_TOKEN)/
 * IMAP_MAILBOX/IMAP_MOVE_TO/IMAP_POLL_INTERVAL_MS, and any number more from IMAP_MAILBOXES_JSON
 * (a JSON array of accounts) or IMAP_MAILBOXES_FILE (a file holding that array). Empty: email is off.
 */
export function mailboxesFromEnv(env: Record<string, string | undefined>): MailboxConfig[] {
  const cleaned: Record<string, string | undefined> = {};
  for (const key of Object.keys(envSchema.shape))
    cleaned[key] = env[key]?.trim() ? env[key]!.trim() : undefined;
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success)
    throw new EmailConfigError(`Invalid email configuration: ${describe(parsed.error, '')}`);
  const e = parsed.data;
  const accounts: unknown[] = [];
  if (e.IMAP_HOST) {
    if (!e.IMAP_USER)
      throw new EmailConfigError('Invalid email configuration: IMAP_USER is required with IMAP_HOST');
    if (!e.IMAP_PASSWORD && !e.IMAP_ACCESS_TOKEN)
      throw new EmailConfigError(
        'Invalid email configuration: IMAP_PASSWORD or IMAP_ACCESS_TOKEN is required with IMAP_HOST',
      );
    accounts.push({
      host: e.IMAP_HOST,
      port: e.IMAP_PORT,
      secure: e.IMAP_SECURE,
      user: e.IMAP_USER,
      ...(e.IMAP_ACCESS_TOKEN ? { accessToken: e.IMAP_ACCESS_TOKEN } : { password: e.IMAP_PASSWORD }),
      folder: e.IMAP_MAILBOX,
      moveTo: e.IMAP_MOVE_TO,
      pollIntervalMs: e.IMAP_POLL_INTERVAL_MS,
      caFile: e.IMAP_TLS_CA_FILE,
      rejectUnauthorized: e.IMAP_TLS_REJECT_UNAUTHORIZED === 'true',
    });
  }
  const json =
    e.IMAP_MAILBOXES_JSON ??
    (e.IMAP_MAILBOXES_FILE ? readFileSync(e.IMAP_MAILBOXES_FILE, 'utf8') : undefined);
  if (json) {
    let list: unknown;
    try {
      list = JSON.parse(json);
    } catch (error) {
      throw new EmailConfigError(
        `Invalid email configuration: IMAP_MAILBOXES_JSON is not JSON (${(error as Error).message})`,
      );
    }
    if (!Array.isArray(list))
      throw new EmailConfigError(
        'Invalid email configuration: IMAP_MAILBOXES_JSON must be a JSON array of mailboxes',
      );
    accounts.push(...list);
  }
  return resolveMailboxes(accounts);
}
