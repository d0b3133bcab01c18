import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { toComplaintReceived, type Submission } from '@klaxon/intake/domain';
import { DATA_SOURCE, GroupCommit, registerComplaints } from '@klaxon/platform/persistence';
import { ApiError, CLOCK, LOGGER, type Clock } from '@klaxon/platform/runtime';
import type { Logger } from '@klaxon/platform/observability';
import { IntakeMetrics } from './intake.metrics';

export interface Accepted {
  id: string;
  /** False when the same submission (same Idempotency-Key) was accepted before. */
  created: boolean;
}

type Received = ReturnType<typeof toComplaintReceived>;
interface ToStore {
  received: Received;
  sourceId: string;
  correlationId: string;
}

/**
 * Stores the complaint and its ComplaintReceived event in one transaction (transactional outbox):
 * once this returns, the complaint is durably handed over, and the relay publishes it. Concurrent
 * submissions share a transaction (group commit), so a busy intake commits once per group.
 */
@Injectable()
export class ComplaintIntakeService {
  private readonly writer: GroupCommit<ToStore, boolean>;

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: IntakeMetrics,
  ) {
    const poolMax = (dataSource.options.extra as { max?: number } | undefined)?.max ?? 10;
    this.writer = new GroupCommit({
      dataSource,
      write: (manager, items) => this.store(manager, items),
      maxConcurrent: Math.max(1, Math.min(4, poolMax - 1)),
    });
  }

  /** `sourceId`: the source's own id when it has one (a phone note id); else the Idempotency-Key; else a fresh id. */
  async submit(
    submission: Submission,
    idempotencyKey?: string,
    sourceIdOfSource?: string,
  ): Promise<Accepted> {
    const sourceId = sourceIdOfSource ?? (idempotencyKey ? `idempotency:${idempotencyKey}` : randomUUID());
    const received = toComplaintReceived(submission, sourceId, this.clock.now());
    const correlationId = randomUUID();

    const created = await this.writer
      .submit({ received, sourceId, correlationId })
      .catch((error: unknown) => {
        this.metrics.errors.inc({ channel: received.channel, code: 'store-failed' });
        this.logger.error(
          { err: error, complaintId: received.complaintId, correlationId, channel: received.channel },
          'complaint could not be stored',
        );
        throw error;
      });
    if (!created && !(await this.sameAsStored(received)))
      throw new ApiError(
        HttpStatus.CONFLICT,
        'idempotency-key-reused',
        'This Idempotency-Key was used for a different complaint: use a new key for new content',
      );
    (created ? this.metrics.received : this.metrics.duplicates).inc({ channel: received.channel });
    this.logger.info(
      { complaintId: received.complaintId, correlationId, channel: received.channel, created },
      created ? 'complaint received' : 'duplicate submission',
    );
    return { id: received.complaintId, created };
  }

  /** Whether a retry carries what the first post stored (same text, subject and customer). */
  private async sameAsStored(received: Received): Promise<boolean> {
    const [row] = (await this.dataSource.query(
      `SELECT (text IS NOT DISTINCT FROM $2 AND subject IS NOT DISTINCT FROM $3 AND customer = $4::jsonb) AS same FROM complaints WHERE id = $1`,
      [received.complaintId, received.text, received.subject ?? null, JSON.stringify(received.customer)],
    )) as Array<{ same: boolean }>;
    return Boolean(row?.same);
  }

  /** One group in one transaction: a complaint already stored (same id) is a duplicate, and adds nothing. */
  private store(manager: EntityManager, items: ToStore[]): Promise<boolean[]> {
    return registerComplaints(
      manager,
      items.map(({ received, sourceId, correlationId }) => ({
        received,
        correlationId,
        actor: `intake:${received.channel}`,
        reason: 'submitted',
        data: { sourceId, customerPicked: received.customerPicked ?? null },
      })),
    );
  }
}
