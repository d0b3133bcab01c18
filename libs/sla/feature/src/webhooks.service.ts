import { createHmac } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { backoffDelay } from '@klaxon/platform/errors';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE, returnedRows } from '@klaxon/platform/persistence';
import { CLOCK, LOGGER, type Clock } from '@klaxon/platform/runtime';
import { SLA_OPTIONS, type SlaOptions } from './sla.options';

export const SIGNATURE_HEADER = 'x-klaxon-signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the receiver recomputes it with the shared secret. */
export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;
}

export function verifyWebhook(
  secret: string,
  body: string,
  header: string,
  toleranceSeconds = 300,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m || Math.abs(nowSeconds - Number(m[1])) > toleranceSeconds) return false;
  return signWebhook(secret, body, Number(m[1])) === header;
}

type DeliveryRow = {
  id: string;
  url: string;
  secret: string;
  event_id: string;
  event_type: string;
  payload: unknown;
  attempts: number;
};

/**
 * Outgoing webhooks: deliveries are written in the transaction that raises the event (one row per
 * subscription, unique per event), then posted signed with HMAC-SHA256, retried with exponential
 * backoff, and every attempt's outcome recorded on the row.
 */
@Injectable()
export class WebhooksService implements OnApplicationBootstrap {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SLA_OPTIONS) private readonly options: SlaOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.seed();
  }

  /** Upserts the configured subscriptions. */
  async seed(): Promise<void> {
    for (const w of this.options.webhooks ?? []) {
      await this.dataSource.query(
        `INSERT INTO webhook_subscriptions (id, url, secret, events) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, secret = EXCLUDED.secret, events = EXCLUDED.events, active = true`,
        [w.id, w.url, w.secret, w.events ?? []],
      );
    }
  }

  /** In the caller's transaction: one delivery per active subscription that wants this event type. */
  async enqueue(
    manager: EntityManager,
    events: Array<{ eventId: string; type: string; payload: unknown }>,
  ): Promise<void> {
    if (events.length === 0) return;
    await manager.query(
      `INSERT INTO webhook_deliveries (subscription_id, event_id, event_type, payload, next_attempt_at)
       SELECT s.id, e.event_id, e.event_type, e.payload, $2
         FROM jsonb_to_recordset($1::jsonb) AS e(event_id text, event_type text, payload jsonb)
         JOIN webhook_subscriptions s ON s.active AND (cardinality(s.events) = 0 OR e.event_type = ANY(s.events))
       ON CONFLICT DO NOTHING`,
      [
        JSON.stringify(events.map((e) => ({ event_id: e.eventId, event_type: e.type, payload: e.payload }))),
        this.clock.now().toISOString(),
      ],
    );
  }

  /** One pass: posts what is due; returns how many deliveries it attempted. */
  async deliverDue(limit = 100): Promise<number> {
    const now = this.clock.now();
    const leaseMs = 30_000;
    const due = await this.dataSource.transaction(async (m) =>
      returnedRows<DeliveryRow>(
        await m.query(
          `WITH due AS (SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
           UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = $3
             FROM due, webhook_subscriptions s WHERE d.id = due.id AND s.id = d.subscription_id
           RETURNING d.id, s.url, s.secret, d.event_id, d.event_type, d.payload, d.attempts`,
          [now.toISOString(), limit, new Date(now.getTime() + leaseMs).toISOString()],
        ),
      ),
    );
    await Promise.all(due.map((d) => this.attempt(d)));
    return due.length;
  }

  private async attempt(d: DeliveryRow): Promise<void> {
    const body = JSON.stringify({ id: d.event_id, type: d.event_type, data: d.payload });
    const t = Math.floor(this.clock.now().getTime() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signWebhook(d.secret, body, t),
          'x-klaxon-event-id': d.event_id,
          'x-klaxon-event-type': d.event_type,
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      await res.body?.cancel();
      if (!res.ok) error = `HTTP ${res.status}`;
    } catch (err) {
      error = String((err as Error).message ?? err);
    }
    const max = this.options.webhookMaxAttempts ?? 8;
    const backoff = backoffDelay(d.attempts, {
      base: this.options.webhookBackoffMs ?? 1_000,
      cap: this.options.webhookBackoffMaxMs ?? 15 * 60_000,
    });
    const now = this.clock.now();
    await this.dataSource.query(
      `UPDATE webhook_deliveries SET status = $2, last_status_code = $3, last_error = $4, delivered_at = $5, next_attempt_at = $6 WHERE id = $1`,
      [
        d.id,
        error === null ? 'delivered' : d.attempts >= max ? 'failed' : 'pending',
        status,
        error,
        error === null ? now.toISOString() : null,
        new Date(now.getTime() + (error === null ? 0 : backoff)).toISOString(),
      ],
    );
    if (error)
      this.logger.warn(
        { deliveryId: d.id, eventId: d.event_id, attempt: d.attempts, error },
        'webhook delivery failed',
      );
  }
}
