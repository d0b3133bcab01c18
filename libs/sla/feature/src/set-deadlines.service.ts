import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { ComplaintAssigned } from '@klaxon/contracts';
import type { ConsumedEvent } from '@klaxon/platform/messaging';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE, appendHistory, claimFresh } from '@klaxon/platform/persistence';
import { LOGGER } from '@klaxon/platform/runtime';
import { ClockPlannerService, distinctRounds } from './clock-planner.service';
import { CustomerMessagesService } from './customer-messages.service';

export const SLA_CONSUMER = 'klaxon-sla';

/**
 * Starts a complaint's clocks when it gets an owner: acknowledgement, owner, first response and
 * resolution, from the policy that matches it (replaying any case actions already taken), and
 * queues the automatic acknowledgement to the customer. The owner clock is met at the assignment.
 */
@Injectable()
export class SetDeadlinesService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly planner: ClockPlannerService,
    private readonly messages: CustomerMessagesService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(batch: ConsumedEvent<ComplaintAssigned>[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(
        manager,
        SLA_CONSUMER,
        batch.map((e) => e.envelope),
        (e) => e.eventId,
      );
      for (const round of distinctRounds(todo, (e) => e.data.complaintId)) {
        const steps = await this.planner.loadStepsMany(
          manager,
          round.map((e) => e.data.complaintId),
        );
        const work = round.map((e) => {
          const a = e.data;
          const facts = {
            complaintId: a.complaintId,
            channel: a.channel,
            category: a.category,
            priority: a.priority,
            receivedAt: new Date(a.receivedAt),
            ownerId: a.ownerId,
            teamId: a.teamId,
            assignedAt: new Date(a.assignedAt),
          };
          return { e, facts, planned: this.planner.plan(facts, steps.get(a.complaintId)!) };
        });
        await this.planner.writeMany(manager, work);
        await this.messages.queueAcknowledgements(
          manager,
          work
            .filter(({ planned }) => planned.find((c) => c.clock === 'acknowledgement')?.status !== 'met')
            .map(({ e, planned }) => ({
              complaintId: e.data.complaintId,
              ownerName: e.data.ownerName,
              firstResponseBy: planned.find((c) => c.clock === 'first-response')?.deadline ?? null,
              at: new Date(e.data.assignedAt),
            })),
        );
        await appendHistory(
          manager,
          work.map(({ e, planned }) => ({
            complaintId: e.data.complaintId,
            at: e.data.assignedAt,
            kind: 'deadlines-set',
            actor: 'sla',
            reason: `policy ${planned[0]?.policy}: ${planned.map((c) => `${c.clock} ${c.status === 'met' ? 'met' : `by ${c.deadline ? this.planner.calendar.format(c.deadline) : 'paused'}`}`).join(', ')}`,
            data: planned.map((c) => ({
              clock: c.clock,
              policy: c.policy,
              time: c.time,
              deadline: c.deadline?.toISOString() ?? null,
              warnAt: c.warnAt?.toISOString() ?? null,
              status: c.status,
            })),
            eventId: e.eventId,
            correlationId: e.correlationId,
          })),
        );
      }
      if (todo.length > 0) this.logger.debug({ complaints: todo.length }, 'deadlines set');
    });
  }
}
