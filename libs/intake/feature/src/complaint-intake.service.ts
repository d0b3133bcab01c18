import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ComplaintReceivedEvent, encodeEvent } from '@klaxon/contracts';
import { toComplaintReceived, type Submission } from '@klaxon/intake/domain';
import { DATA_SOURCE, appendHistory, appendToOutbox } from '@klaxon/platform/persistence';
import { CLOCK, LOGGER, type Clock } from '@klaxon/platform/runtime';
import type { Logger } from '@klaxon/platform/observability';
import { IntakeMetrics } from './intake.metrics';

export interface Accepted {
  id: string;
  /** False when the same submission (same Idempotency-Key) was accepted before. */
  created: boolean;
}

/**
 * Stores the complaint and its ComplaintReceived event in one transaction (transactional outbox):
 * once this returns, the complaint is durably handed over, and the relay publishes it.
 */
@Injectable()
export class ComplaintIntakeService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: IntakeMetrics,
  ) {}

  /** `sourceId`: the source's own id when it has one (a phone note id); else the Idempotency-Key; else a fresh id. */
  async submit(submission: Submission, idempotencyKey?: string, sourceIdOfSource?: string): Promise<Accepted> {
    const sourceId = sourceIdOfSource ?? (idempotencyKey ? `idempotency:${idempotencyKey}` : randomUUID());
    const received = toComplaintReceived(submission, sourceId, this.clock.now());
    const correlationId = randomUUID();
    const event = encodeEvent(ComplaintReceivedEvent, received, { eventId: `${received.complaintId}:received`, correlationId });

    const created = await this.store(received, sourceId, correlationId, event).catch((error: unknown) => {
      this.metrics.errors.inc({ channel: received.channel, code: 'store-failed' });
      this.logger.error({ err: error, complaintId: received.complaintId, correlationId, channel: received.channel }, 'complaint could not be stored');
      throw error;
    });
    (created ? this.metrics.received : this.metrics.duplicates).inc({ channel: received.channel });
    this.logger.info({ complaintId: received.complaintId, correlationId, channel: received.channel, created }, created ? 'complaint received' : 'duplicate submission');
    return { id: received.complaintId, created };
  }

  private store(received: ReturnType<typeof toComplaintReceived>, sourceId: string, correlationId: string, event: ReturnType<typeof encodeEvent>): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO complaints (id, channel, source_id, status, received_at, subject, text, customer, customer_picked, unit, channel_meta, correlation_id, created_at, updated_at)
         VALUES ($1, $2, $3, 'received', $4, $5, $6, $7, $8, $9, $10, $11, now(), now())
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [
          received.complaintId,
          received.channel,
          received.sourceId,
          received.receivedAt,
          received.subject ?? null,
          received.text,
          JSON.stringify(received.customer),
          received.customerPicked ?? null,
          received.unit ?? null,
          received.phone ? JSON.stringify({ phone: received.phone }) : null,
          correlationId,
        ],
      );
      if (inserted.length === 0) return false;
      await appendHistory(manager, [
        {
          complaintId: received.complaintId,
          at: received.receivedAt,
          kind: 'received',
          actor: `intake:${received.channel}`,
          reason: 'submitted',
          data: { sourceId, customerPicked: received.customerPicked ?? null },
          eventId: `${received.complaintId}:received`,
          correlationId,
        },
      ]);
      await appendToOutbox(manager, [event]);
      return true;
    });
  }
}
