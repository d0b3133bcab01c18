import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { toComplaintReceived, type Submission } from '@klaxon/intake/domain';
import { DATA_SOURCE, GroupCommit, registerComplaints } from '@klaxon/platform/persistence';
import { CLOCK, LOGGER, type Clock } from '@klaxon/platform/runtime';
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
    @Inject(DATA_SOURCE) dataSource: DataSource,
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
    (created ? this.metrics.received : this.metrics.duplicates).inc({ channel: received.channel });
    this.logger.info(
      { complaintId: received.complaintId, correlationId, channel: received.channel, created },
      created ? 'complaint received' : 'duplicate submission',
    );
    return { id: received.complaintId, created };
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
