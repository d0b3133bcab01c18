import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CaseEventEvent, encodeEvent, type CaseEvent, type CustomerMessageReceived } from '@klaxon/contracts';
import type { ConsumedEvent } from '@klaxon/platform/messaging';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE, appendHistory, appendToOutbox, claimFresh } from '@klaxon/platform/persistence';
import { CLOCK, LOGGER, type Clock } from '@klaxon/platform/runtime';
import { SLA_OPTIONS, type SlaOptions } from './sla.options';
import { SLA_CONSUMER } from './set-deadlines.service';

export const SLA_MESSAGES_CONSUMER = `${SLA_CONSUMER}-messages`;
export const DEFAULT_REOPEN_WINDOW_MS = 14 * 86_400_000;

type Row = { id: string; status: string; resolved_at: Date | null; correlation_id: string | null };

/**
 * The customer's answer moves the case: a message (an e-mail reply, an X reply) to a complaint that
 * waits on the customer resumes its clocks (`customer-replied`); to a resolved or closed one within the
 * reopen window it reopens it (`reopened`). Both as CaseEvents by the customer, through the outbox: the
 * clocks follow from them as from a handler's action. Idempotent on the event id.
 */
@Injectable()
export class CustomerRepliesService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SLA_OPTIONS) private readonly options: SlaOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(batch: ConsumedEvent<CustomerMessageReceived>[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(
        manager,
        SLA_MESSAGES_CONSUMER,
        batch.map((e) => e.envelope),
        (e) => e.eventId,
      );
      if (todo.length === 0) return;
      const window = this.options.reopenWindowMs ?? DEFAULT_REOPEN_WINDOW_MS;
      for (const { data: m, eventId, correlationId } of todo) {
        const [c] = (await manager.query(
          `SELECT id, status, resolved_at, correlation_id FROM complaints WHERE id = $1 FOR UPDATE`,
          [m.complaintId],
        )) as Row[];
        if (!c) continue;
        const now = this.clock.now();
        const reopen =
          (c.status === 'resolved' || c.status === 'closed') &&
          c.resolved_at !== null &&
          now.getTime() - new Date(c.resolved_at).getTime() <= window;
        const action = c.status === 'waiting-on-customer' ? 'customer-replied' : reopen ? 'reopened' : null;
        if (!action) continue;
        const event: CaseEvent = {
          caseEventId: `${eventId}:${action}`,
          complaintId: c.id,
          action,
          actor: { type: 'customer', id: `customer:${m.channel}` },
          // When the case moves (now), never the mail's own date: that can precede the wait it answers.
          at: now.toISOString(),
          message: m.text.slice(0, 100_000),
        };
        await manager.query(
          `UPDATE complaints SET status = 'in-progress', updated_at = $2${action === 'reopened' ? ', resolved_at = NULL, closed_at = NULL' : ''} WHERE id = $1`,
          [c.id, now.toISOString()],
        );
        const correlation = c.correlation_id ?? correlationId ?? c.id;
        await appendToOutbox(manager, [
          encodeEvent(CaseEventEvent, event, {
            eventId: event.caseEventId,
            correlationId: correlation,
            occurredAt: event.at,
          }),
        ]);
        await appendHistory(manager, [
          {
            complaintId: c.id,
            at: event.at,
            kind: `case-${action}`,
            actor: `customer:${m.channel}`,
            reason:
              action === 'reopened'
                ? `the customer answered within the reopen window (${c.status} → in-progress)`
                : 'the customer answered (waiting-on-customer → in-progress)',
            data: event,
            eventId: event.caseEventId,
            correlationId: correlation,
          },
        ]);
        this.logger.info(
          { complaintId: c.id, action, correlationId: correlation },
          'customer answer moved the case',
        );
      }
    });
  }
}
