import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { ComplaintClassified } from '@klaxon/contracts';
import {
  PermanentMessageError,
  type ConsumedBatchOutcome,
  type ConsumedEvent,
} from '@klaxon/platform/messaging';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE, appendHistory, claimFresh } from '@klaxon/platform/persistence';
import { CLOCK, LOGGER, type Clock } from '@klaxon/platform/runtime';
import { NewComplaintRouting } from './new-complaint-routing';
import type { Routable, RouteResult } from './routing-work';
import { RoutingMetrics } from './routing.metrics';

export const ROUTER_CONSUMER = 'klaxon-router';

export function routableFrom(d: ComplaintClassified, causeId: string, correlationId: string): Routable {
  return {
    complaintId: d.complaintId,
    channel: d.channel,
    category: d.category,
    language: d.language,
    priority: d.priority,
    receivedAt: d.receivedAt,
    reputationalRisk: d.reputationalRisk,
    ...(d.reach !== undefined ? { reach: d.reach } : {}),
    customer: d.customer,
    ...(d.unit ? { unit: d.unit } : {}),
    causeId,
    correlationId,
  };
}

/**
 * Gives each classified complaint exactly one owner, in one transaction per batch. The team's member
 * rows are locked for the batch, and an owner is only written where none is set yet, so several
 * router replicas never assign one complaint twice. What the classifier labels `none` is kept as a
 * signal: not routed, no clocks, promotable through the API.
 */
@Injectable()
export class AssignOwnersService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly routing: NewComplaintRouting,
    private readonly metrics: RoutingMetrics,
  ) {}

  async handle(batch: ConsumedEvent<ComplaintClassified>[]): Promise<void | ConsumedBatchOutcome> {
    let routed: RouteResult | undefined;
    const outcome = await this.dataSource.transaction(async (manager) => {
      // A classified event for a complaint that was never stored cannot be routed: dead-lettered with the reason.
      const ids = [...new Set(batch.map((e) => e.envelope.data.complaintId))];
      const known = new Set(
        (
          (await manager.query('SELECT id FROM complaints WHERE id = ANY($1)', [ids])) as Array<{
            id: string;
          }>
        ).map((r) => r.id),
      );
      const unknown = batch.filter((e) => !known.has(e.envelope.data.complaintId));
      const todo = await claimFresh(
        manager,
        ROUTER_CONSUMER,
        batch.map((e) => e.envelope).filter((e) => known.has(e.data.complaintId)),
        (e) => e.eventId,
      );
      const outcome: ConsumedBatchOutcome | undefined = unknown.length
        ? {
            rejected: unknown.map((event) => ({
              event: event as ConsumedEvent<unknown>,
              error: new PermanentMessageError(
                'complaint-unknown',
                `complaint ${event.envelope.data.complaintId} is not stored; nothing to route`,
              ),
            })),
          }
        : undefined;
      if (todo.length === 0) return outcome;
      const now = this.clock.now();
      const signals = todo.filter((x) => x.data.complaint === 'none');
      if (signals.length) {
        await manager.query(
          `UPDATE complaints SET status = 'signal', updated_at = now() WHERE id = ANY($1) AND owner_id IS NULL AND status IN ('received', 'classified', 'signal')`,
          [signals.map((s) => s.data.complaintId)],
        );
        await appendHistory(
          manager,
          signals.map((e) => ({
            complaintId: e.data.complaintId,
            at: now,
            kind: 'not-routed',
            actor: 'router',
            reason: 'classified as not a complaint; kept as a signal (promote or dismiss it)',
            eventId: e.eventId,
            correlationId: e.correlationId,
          })),
        );
      }
      const complaints = todo
        .filter((x) => x.data.complaint !== 'none')
        .map((e) => routableFrom(e.data, e.eventId, e.correlationId));
      const result = await this.routing.routeNew(manager, complaints, now);
      routed = result;
      this.logger.debug(
        {
          assigned: result.assigned.length,
          queued: result.queued.length,
          escalations: result.escalations.length,
          signals: signals.length,
        },
        'routed batch',
      );
      return outcome;
    });
    if (routed) this.metrics.record(routed);
    return outcome;
  }
}
