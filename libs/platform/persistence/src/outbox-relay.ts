import type { DataSource, EntityManager, EntitySubscriberInterface, TransactionCommitEvent } from 'typeorm';
import type { MessageBus, OutgoingMessage } from '@klaxon/platform/messaging';
import type { Logger } from '@klaxon/platform/observability';
import { OUTBOX_WRITTEN } from './outbox';

export interface OutboxRelayOptions {
  dataSource: DataSource;
  bus: MessageBus;
  logger: Logger;
  /** Most events published in one go. */
  batchSize?: number;
  /**
   * Pause between polls when the outbox is empty. A commit of this process that wrote to the outbox
   * wakes the relay at once, so this only bounds how late rows of other processes (a replica that
   * died before relaying) are picked up.
   */
  idleDelayMs?: number;
  /** Pause after a failed publish before trying again. */
  errorDelayMs?: number;
  /** Failed publishes (while other rows went out) after which a row is set aside. */
  maxAttempts?: number;
  /**
   * The embedded mode's in-process bus holds events only in memory: with this set, a row stays in the
   * outbox until the bus says every group reading its topic committed it, and a start publishes every
   * row still there again (consumers are idempotent on the event id). Only for a single relay.
   */
  settlement?: OutboxSettlement;
}

/** A bus that tells when a message tagged with `header` no longer needs its publisher's copy. */
export interface OutboxSettlement {
  header: string;
  onSettled(listener: (ids: string[]) => void): () => void;
}

type OutboxRow = {
  id: string;
  topic: string;
  key: string;
  value: Buffer;
  headers: Record<string, string> | string;
  attempts?: number;
};

/** Each (topic, key) of a batch with the id of its first row, as columns for unnest. */
function pairColumns(rows: OutboxRow[]): [string[], string[], string[]] {
  const first = new Map<string, OutboxRow>();
  for (const r of rows) if (!first.has(`${r.topic}\u0000${r.key}`)) first.set(`${r.topic}\u0000${r.key}`, r);
  const pairs = [...first.values()];
  return [pairs.map((r) => r.topic), pairs.map((r) => r.key), pairs.map((r) => r.id)];
}

/**
 * Publishes what the transactional outbox holds, oldest first, and deletes it once the bus accepted
 * it. Rows are claimed with SKIP LOCKED, so the relays of several processes never publish the same
 * batch at once; a crash between publish and delete publishes again, which consumers absorb
 * (they are idempotent on the event id). It sleeps while there is nothing to do and is woken by the
 * commit of any transaction of its data source that appended to the outbox.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly idleDelayMs: number;
  private readonly errorDelayMs: number;
  private readonly maxAttempts: number;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;
  /** A commit wrote to the outbox while a round was running: go again instead of sleeping. */
  private nudged = false;
  /** Settlement mode: the last row id published by this relay (rows stay until settled). */
  private cursor = '0';
  /** Settlement mode: ids the bus settled, deleted in the next round. */
  private settled: string[] = [];
  private unsubscribe: (() => void) | null = null;
  private readonly onCommit: EntitySubscriberInterface = {
    afterTransactionCommit: (event: TransactionCommitEvent) => {
      if (event.queryRunner.data?.[OUTBOX_WRITTEN]) this.nudge();
    },
  };

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.idleDelayMs = options.idleDelayMs ?? 500;
    this.errorDelayMs = options.errorDelayMs ?? 1_000;
    this.maxAttempts = options.maxAttempts ?? 10;
  }

  start(): void {
    this.stopping = false;
    if (!this.options.dataSource.subscribers.includes(this.onCommit))
      this.options.dataSource.subscribers.push(this.onCommit);
    if (this.options.settlement && !this.unsubscribe)
      this.unsubscribe = this.options.settlement.onSettled((ids) => {
        this.settled.push(...ids);
        this.nudge();
      });
    this.loop ??= this.run();
  }

  private nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /**
   * Stops polling after a last drain, so what was committed before shutdown still goes out. In
   * settlement mode there is nothing to drain into (the bus stops with the process): it only deletes
   * what was settled, and the next start publishes the rest.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = null;
    const subscribers = this.options.dataSource.subscribers;
    if (subscribers.includes(this.onCommit)) subscribers.splice(subscribers.indexOf(this.onCommit), 1);
    if (this.options.settlement) {
      this.unsubscribe?.();
      this.unsubscribe = null;
      await this.deleteSettled().catch((err: unknown) =>
        this.options.logger.warn(
          { err },
          'outbox: settled rows not deleted; the next start publishes them again',
        ),
      );
      return;
    }
    try {
      while ((await this.relayOnce()) > 0);
    } catch (err) {
      this.options.logger.error(
        { err },
        'outbox drain at shutdown failed; the next start publishes the rest',
      );
    }
  }

  /**
   * One batch; returns how many events went out. Several processes' relays run at once and still keep
   * each key's order: rows of a (topic, key) of which an earlier row is held by another relay wait
   * for the next round. When a batch fails, its rows go one by one (a key stops at its first failure);
   * if others went out, the failures are the messages' own: counted, and set aside after
   * `maxAttempts` with their reason (see `parkedCount`). If none went out, it is the bus: nothing is
   * counted and the batch is tried again later.
   */
  async relayOnce(): Promise<number> {
    if (this.options.settlement) return this.relayHeld(this.options.settlement);
    return this.options.dataSource.transaction(async (manager) => {
      const claimed = (await manager.query(
        `SELECT id, topic, key, value, headers, attempts FROM outbox WHERE parked_at IS NULL
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      )) as OutboxRow[];
      if (claimed.length === 0) return 0;
      const held = (await manager.query(
        `SELECT DISTINCT o.topic, o.key FROM outbox o
           JOIN unnest($1::text[], $2::text[], $3::bigint[]) AS c(topic, key, first_id)
             ON o.topic = c.topic AND o.key = c.key AND o.id < c.first_id AND o.parked_at IS NULL`,
        pairColumns(claimed),
      )) as Array<{ topic: string; key: string }>;
      const heldElsewhere = new Set(held.map((h) => `${h.topic}\u0000${h.key}`));
      const rows = claimed.filter((r) => !heldElsewhere.has(`${r.topic}\u0000${r.key}`));
      if (rows.length === 0) return 0;
      try {
        await this.options.bus.publish(rows.map(toMessage));
        await manager.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
        return rows.length;
      } catch (error) {
        return this.oneByOne(manager, rows, error);
      }
    });
  }

  private async oneByOne(manager: EntityManager, rows: OutboxRow[], batchError: unknown): Promise<number> {
    const sent: string[] = [];
    const failed: Array<{ row: OutboxRow; error: unknown }> = [];
    const blocked = new Set<string>();
    for (const row of rows) {
      const pair = `${row.topic}\u0000${row.key}`;
      if (blocked.has(pair)) continue;
      try {
        await this.options.bus.publish([toMessage(row)]);
        sent.push(row.id);
      } catch (error) {
        blocked.add(pair);
        failed.push({ row, error });
      }
    }
    if (sent.length === 0) throw batchError;
    await manager.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [sent]);
    for (const { row, error } of failed) {
      const reason = (error as Error)?.message ?? String(error);
      const attempts = Number(row.attempts ?? 0) + 1;
      const park = attempts >= this.maxAttempts;
      await manager.query(
        `UPDATE outbox SET attempts = $2, last_error = $3, parked_at = CASE WHEN $4::boolean THEN now() END WHERE id = $1`,
        [row.id, attempts, reason.slice(0, 2000), park],
      );
      const fields = { outboxId: row.id, topic: row.topic, key: row.key, attempts, reason };
      if (park)
        this.options.logger.error(fields, 'outbox row set aside: it fails to publish while others go out');
      else this.options.logger.warn(fields, 'outbox row failed to publish while others went out');
    }
    return sent.length;
  }

  /** Rows set aside after `maxAttempts` failed publishes (for the metric and the health answer). */
  async parkedCount(): Promise<number> {
    const [{ n }] = (await this.options.dataSource.query(
      'SELECT count(*)::int AS n FROM outbox WHERE parked_at IS NOT NULL',
    )) as Array<{ n: number }>;
    return n;
  }

  /** Settlement mode: delete what the bus settled, then publish the rows after the cursor (kept). */
  private async relayHeld(settlement: OutboxSettlement): Promise<number> {
    await this.deleteSettled();
    const rows = (await this.options.dataSource.query(
      'SELECT id, topic, key, value, headers FROM outbox WHERE id > $1::bigint ORDER BY id LIMIT $2',
      [this.cursor, this.batchSize],
    )) as OutboxRow[];
    if (rows.length === 0) return 0;
    await this.options.bus.publish(
      rows.map((r) => {
        const message = toMessage(r);
        message.headers = { ...message.headers, [settlement.header]: String(r.id) };
        return message;
      }),
    );
    this.cursor = String(rows[rows.length - 1].id);
    return rows.length;
  }

  private async deleteSettled(): Promise<void> {
    if (this.settled.length === 0) return;
    const ids = this.settled;
    this.settled = [];
    try {
      await this.options.dataSource.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [ids]);
    } catch (err) {
      this.settled.push(...ids);
      throw err;
    }
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let delay = 0;
      this.nudged = false;
      try {
        const sent = await this.relayOnce();
        if (sent < this.batchSize && !this.nudged) delay = this.idleDelayMs;
      } catch (err) {
        this.options.logger.error({ err }, 'outbox relay failed; retrying');
        delay = this.errorDelayMs;
      }
      if (delay > 0 && !this.stopping) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
      }
    }
  }
}

function toMessage(r: OutboxRow): OutgoingMessage & { headers: Record<string, string> } {
  return {
    topic: r.topic,
    key: r.key,
    value: Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value),
    headers: typeof r.headers === 'string' ? (JSON.parse(r.headers) as Record<string, string>) : r.headers,
  };
}
