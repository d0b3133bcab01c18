import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { CaseEvent } from '@klaxon/contracts';
import type { ConsumedEvent } from '@klaxon/platform/messaging';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE, appendHistory, claimFresh } from '@klaxon/platform/persistence';
import { LOGGER } from '@klaxon/platform/runtime';
import { CSAT_REQUEST_DELAY_MS } from '@klaxon/sla/domain';
import { ClockPlannerService, caseStepOf } from './clock-planner.service';
import { CustomerMessagesService } from './customer-messages.service';
import { SLA_CONSUMER } from './set-deadlines.service';

export const SLA_CASES_CONSUMER = `${SLA_CONSUMER}-cases`;

/**
 * Case events move the clocks: an action meets the clocks it satisfies, waiting on the customer
 * pauses them, the reply resumes them, a correction of priority or category recomputes them from the
 * history, a reopen restarts resolution, a low CSAT opens the follow-up clock. A resolution queues
 * the CSAT request for 24 hours later; a reopen withdraws it. A replay changes nothing.
 */
@Injectable()
export class CaseClocksService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly planner: ClockPlannerService,
    private readonly messages: CustomerMessagesService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(batch: ConsumedEvent<CaseEvent>[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(
        manager,
        SLA_CASES_CONSUMER,
        batch.map((e) => e.envelope),
        (e) => e.eventId,
      );
      if (todo.length === 0) return;
      const facts = await this.planner.loadFacts(manager, [...new Set(todo.map((e) => e.data.complaintId))]);
      const touched = new Set<string>();
      for (const { data: ev, eventId, correlationId } of todo) {
        const f = facts.get(ev.complaintId);
        if (!f) {
          this.logger.warn(
            { complaintId: ev.complaintId, correlationId, action: ev.action },
            'case event for an unknown complaint: no clocks to move',
          );
          continue;
        }
        touched.add(ev.complaintId);
        if (ev.action === 'resolved') {
          await this.messages.queueCsatRequest(manager, ev.complaintId, {
            dedupeKey: ev.caseEventId,
            dueAt: new Date(new Date(ev.at).getTime() + CSAT_REQUEST_DELAY_MS),
          });
        }
        if (ev.action === 'reopened') {
          await manager.query(
            `UPDATE customer_messages SET status = 'cancelled' WHERE complaint_id = $1 AND kind = 'csat-request' AND status = 'pending'`,
            [ev.complaintId],
          );
        }
        await appendHistory(manager, [
          {
            complaintId: ev.complaintId,
            at: ev.at,
            kind: 'clocks-updated',
            actor: 'sla',
            reason: `after ${ev.action}`,
            eventId,
            correlationId,
          },
        ]);
      }
      for (const complaintId of touched) {
        const f = facts.get(complaintId)!;
        const steps = await this.planner.loadSteps(manager, complaintId);
        // The event may be consumed before (or without) its history row: add it when missing.
        for (const { data: ev } of todo.filter((e) => e.data.complaintId === complaintId)) {
          if (!steps.some((s) => s.at.getTime() === new Date(ev.at).getTime() && s.action === ev.action))
            steps.push(caseStepOf(ev));
        }
        await this.planner.write(manager, f, this.planner.plan(f, steps));
      }
    });
  }
}
