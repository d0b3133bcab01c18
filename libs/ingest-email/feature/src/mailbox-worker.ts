import { ImapFlow, type FetchMessageObject, type MailboxObject } from 'imapflow';
import { backoffDelay } from '@klaxon/platform/errors';
import type { Logger } from '@klaxon/platform/observability';
import type { MailboxConfig } from './email-ingest.options';
import type { EmailMetrics } from './email-metrics';
import type { EmailStore } from './email-store';
import { MailRound, type Fetched } from './mail-round';

export interface MailboxWorkerDeps {
  store: EmailStore;
  logger: Logger;
  metrics: EmailMetrics;
  clock: { now(): Date };
}

/** Bytes of message sources fetched in one round (a few big mails do not share memory with hundreds of others). */
const MAX_ROUND_BYTES = 32 * 1024 * 1024;

export type MailboxState = 'connecting' | 'connected' | 'reconnecting' | 'unauthorized' | 'stopped';

export interface MailboxStatus {
  mailbox: string;
  state: MailboxState;
  /** When the mailbox was last checked completely (ISO 8601). */
  lastCheckAt?: string;
  lastError?: { kind: string; message: string; at: string };
}

class WorkerKilled extends Error {
  constructor() {
    super('mailbox worker killed');
  }
}

function errorKind(error: unknown): string {
  const e = error as { authenticationFailed?: boolean; code?: string; name?: string };
  if (e?.authenticationFailed) return 'auth';
  return typeof e?.code === 'string' ? e.code : (e?.name ?? 'error');
}

/**
 * Watches one folder of one IMAP account: catches up from the last checkpointed UID, then waits
 * for new mail with IDLE (imapflow's auto-IDLE; NOOP polling where the server lacks IDLE) and a
 * fallback poll. Each round: fetch → parse → register the complaints (row, history, ComplaintReceived
 * in the outbox), the replies' events, the handled messages and the checkpoint in one PostgreSQL
 * transaction → only then mark \Seen (or move). Any error closes the connection
 * and the worker reconnects with exponential backoff; it never gives up on a mailbox.
 */
export class MailboxWorker {
  private readonly log: Logger;
  private readonly round: MailRound;
  private stopping = false;
  private killed = false;
  private client: ImapFlow | undefined;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private pending = false;
  private connectedFlag = false;
  private state: MailboxState = 'connecting';
  private lastCheckAt: string | undefined;
  private lastError: MailboxStatus['lastError'];

  constructor(
    readonly config: MailboxConfig,
    private readonly deps: MailboxWorkerDeps,
  ) {
    this.log = deps.logger.child({ component: 'email', mailbox: config.name });
    this.round = new MailRound(config, { store: deps.store, logger: this.log });
  }

  get connected(): boolean {
    return this.connectedFlag;
  }

  status(): MailboxStatus {
    return {
      mailbox: this.config.name,
      state: this.state,
      ...(this.lastCheckAt ? { lastCheckAt: this.lastCheckAt } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Graceful: finishes the round in flight (publish, checkpoint, flags), then logs out. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
  }

  /** The crash path, for tests: drops the connection at once and abandons the round in flight. */
  async kill(): Promise<void> {
    this.killed = true;
    this.stopping = true;
    this.client?.close();
    this.wake();
    await this.loop;
  }

  private wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.pending = true;
  }

  private sleep(ms: number): Promise<void> {
    if (this.pending || this.stopping) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  private createClient(): ImapFlow {
    const c = this.config;
    const client = new ImapFlow({
      host: c.host,
      port: c.port,
      secure: c.secure === 'tls',
      doSTARTTLS: c.secure === 'starttls' ? true : c.secure === 'none' ? false : undefined,
      auth: c.accessToken
        ? { user: c.user, accessToken: c.accessToken }
        : { user: c.user, pass: c.password ?? '' },
      tls: { rejectUnauthorized: c.rejectUnauthorized, ...(c.ca ? { ca: [c.ca] } : {}) },
      logger: false,
      emitLogs: false,
      // Enter IDLE soon after each round so new mail is pushed at once; re-issue it every few minutes.
      autoIdleDelay: 200,
      maxIdleTime: 5 * 60_000,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
    });
    client.on('exists', () => this.wake());
    client.on('close', () => this.wake());
    client.on('error', (err: unknown) => this.log.warn({ err }, 'IMAP connection error'));
    return client;
  }

  private async run(): Promise<void> {
    let failures = 0;
    let delay = 0;
    while (!this.stopping) {
      const client = this.createClient();
      this.client = client;
      try {
        await client.connect();
        if (this.config.moveTo) await this.ensureFolder(client, this.config.moveTo);
        await client.mailboxOpen(this.config.folder);
        this.connectedFlag = true;
        this.state = 'connected';
        failures = 0;
        this.log.info(
          {
            host: this.config.host,
            port: this.config.port,
            secure: this.config.secure,
            folder: this.config.folder,
          },
          'mailbox connected',
        );
        this.pending = false;
        while (!this.stopping) {
          if (!client.usable) throw new Error('IMAP connection closed by the server');
          await this.drain(client);
          this.lastCheckAt = this.deps.clock.now().toISOString();
          await this.sleep(this.config.pollIntervalMs);
        }
      } catch (error) {
        if (!this.stopping) {
          const kind = errorKind(error);
          this.deps.metrics.errors.inc({ mailbox: this.config.name, kind });
          failures++;
          const backoff = { base: this.config.reconnect.initialMs, cap: this.config.reconnect.maxMs };
          // Rejected credentials are not fixed by retrying soon: wait as long as the cap allows.
          delay = kind === 'auth' ? backoff.cap : backoffDelay(failures, backoff);
          this.state = kind === 'auth' ? 'unauthorized' : 'reconnecting';
          this.lastError = {
            kind,
            message: (error as Error)?.message ?? String(error),
            at: this.deps.clock.now().toISOString(),
          };
          this.log.warn(
            { err: error, kind, retryInMs: delay },
            kind === 'auth' ? 'IMAP authentication failed; retrying' : 'mailbox error; reconnecting',
          );
        }
      } finally {
        this.connectedFlag = false;
        this.client = undefined;
        if (this.stopping && !this.killed && client.usable) await client.logout().catch(() => client.close());
        else client.close();
      }
      if (this.stopping) break;
      await this.sleep(delay);
    }
    this.state = 'stopped';
    this.log.info('mailbox worker stopped');
  }

  private async ensureFolder(client: ImapFlow, folder: string): Promise<void> {
    const list = await client.list();
    if (!list.some((m) => m.path === folder)) await client.mailboxCreate(folder);
  }

  /** Handles everything new: UIDs above the checkpoint, or on first contact every unseen message. */
  private async drain(client: ImapFlow): Promise<void> {
    const mailbox = client.mailbox as MailboxObject;
    const uidValidity = String(mailbox.uidValidity);
    const checkpoint = await this.deps.store.checkpoint(this.config.name);
    let uids: number[];
    let firstContact = false;
    const uidNextBefore = Number(mailbox.uidNext ?? 1);
    if (checkpoint && checkpoint.uidValidity === uidValidity) {
      const found = (await client.search({ uid: `${checkpoint.lastUid + 1}:*` }, { uid: true })) || [];
      uids = found.filter((u) => u > checkpoint.lastUid);
    } else {
      if (checkpoint)
        this.log.warn(
          { was: checkpoint.uidValidity, now: uidValidity },
          'UIDVALIDITY changed: re-reading unseen mail (known Message-IDs are skipped)',
        );
      firstContact = true;
      uids = (await client.search({ seen: false }, { uid: true })) || [];
    }
    uids.sort((a, b) => a - b);
    if (uids.length > 0) this.log.debug({ count: uids.length, firstContact }, 'new messages');
    for (let i = 0; i < uids.length && !this.stopping; i += this.config.batchSize) {
      const chunk = uids.slice(i, i + this.config.batchSize);
      await this.processChunk(client, chunk, uidValidity, !firstContact);
    }
    if (firstContact && !this.stopping) {
      const lastUid = Math.max(uidNextBefore - 1, ...uids, 0);
      await this.deps.store.record([], { mailbox: this.config.name, uidValidity, lastUid });
    }
  }

  private async processChunk(
    client: ImapFlow,
    chunk: number[],
    uidValidity: string,
    advance: boolean,
  ): Promise<void> {
    const meta = await client.fetchAll(chunk, { uid: true, size: true, internalDate: true }, { uid: true });
    const byUid = new Map(meta.map((m) => [m.uid, m]));
    const rounds: number[][] = [];
    let current: number[] = [];
    let bytes = 0;
    for (const uid of chunk) {
      const size = Math.min(byUid.get(uid)?.size ?? 0, this.config.maxMessageBytes);
      if (current.length > 0 && bytes + size > MAX_ROUND_BYTES) {
        rounds.push(current);
        current = [];
        bytes = 0;
      }
      current.push(uid);
      bytes += size;
    }
    if (current.length) rounds.push(current);

    for (const [index, round] of rounds.entries()) {
      if (this.stopping && index > 0) return;
      const small = round.filter(
        (u) => (byUid.get(u)?.size ?? 0) <= this.config.maxMessageBytes && byUid.has(u),
      );
      const big = round.filter((u) => (byUid.get(u)?.size ?? 0) > this.config.maxMessageBytes);
      const sources = small.length
        ? await client.fetchAll(small, { uid: true, source: true }, { uid: true })
        : [];
      const heads = big.length ? await client.fetchAll(big, { uid: true, headers: true }, { uid: true }) : [];
      const fetched: Fetched[] = [
        ...sources.map((m: FetchMessageObject) => ({ uid: m.uid, source: m.source })),
        ...heads.map((m: FetchMessageObject) => ({ uid: m.uid, headersOnly: m.headers })),
      ].map((f) => ({
        ...f,
        size: byUid.get(f.uid)?.size,
        internalDate: toDate(byUid.get(f.uid)?.internalDate),
      }));
      fetched.sort((a, b) => a.uid - b.uid);
      const lastUid = Math.max(...round);
      await this.handleRound(client, fetched, uidValidity, advance ? lastUid : undefined);
    }
  }

  private async handleRound(
    client: ImapFlow,
    fetched: Fetched[],
    uidValidity: string,
    checkpointUid: number | undefined,
  ): Promise<void> {
    const { store, metrics, clock } = this.deps;
    const mailboxLabel = { mailbox: this.config.name };
    const { registrations, events, handled, outcomes, duplicates } = await this.round.plan(
      fetched,
      uidValidity,
      clock.now(),
    );

    // One transaction: the complaints registered (row, history, ComplaintReceived in the outbox), the
    // replies' events in the outbox, the handled messages and the checkpoint; flags only after it.
    if (this.killed) throw new WorkerKilled();
    await store.record(
      handled,
      checkpointUid !== undefined
        ? { mailbox: this.config.name, uidValidity, lastUid: checkpointUid }
        : undefined,
      { registrations, events },
    );
    if (this.killed) throw new WorkerKilled();
    const uids = fetched.map((f) => f.uid);
    if (uids.length > 0) {
      await client.messageFlagsAdd(uids, ['\\Seen'], { uid: true });
      if (this.config.moveTo) await client.messageMove(uids, this.config.moveTo, { uid: true });
    }

    if (duplicates) metrics.duplicates.inc(mailboxLabel, duplicates);
    for (const o of outcomes) {
      metrics.received.inc({ ...mailboxLabel, outcome: o.outcome });
      const fields = {
        uid: o.location.uid,
        messageId: o.messageId,
        complaintId: o.complaintId,
        reason: o.reason,
      };
      if (o.outcome === 'dead-letter')
        this.log.warn(fields, 'email dead-lettered: not turned into a complaint');
      else if (o.outcome === 'auto-reply' || o.outcome === 'bounce')
        this.log.info(fields, `email ${o.outcome} recognised: not a complaint`);
      else if (o.outcome === 'reply') this.log.info(fields, 'email reply linked to its complaint');
      else this.log.info(fields, 'email complaint received');
    }
  }
}

function toDate(value: Date | string | undefined): Date | undefined {
  if (!value) return undefined;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
