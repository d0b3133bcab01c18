import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { ComplaintAssigned } from '@klaxon/contracts';
import type { ConsumedEvent } from '@klaxon/platform/messaging';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE, appendHistory, claimEvents } from '@klaxon/platform/persistence';
import { LOGGER } from '@klaxon/platform/runtime';
import { ClockPlannerService } from './clock-planner.service';
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
      const fresh = await claimEvents(manager, SLA_CONSUMER, batch.map((e) => e.envelope.eventId));
      const todo = batch.map((e) => e.envelope).filter((e) => fresh.has(e.eventId));
      for (const e of todo) {
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
        const planned = this.planner.plan(facts, await this.planner.loadSteps(manager, a.complaintId));
        await this.planner.write(manager, facts, planned);
        const firstResponse = planned.find((c) => c.clock === 'first-response');
        const ack = planned.find((c) => c.clock === 'acknowledgement');
        if (ack?.status !== 'met') {
          await this.messages.queueAcknowledgement(manager, a.complaintId, { ownerName: a.ownerName, firstResponseBy: firstResponse?.deadline ?? null, at: new Date(a.assignedAt) });
        }
        await appendHistory(manager, [
          {
            complaintId: a.complaintId,
            at: a.assignedAt,
            kind: 'deadlines-set',
            actor: 'sla',
            reason: `policy ${planned[0]?.policy}: ${planned.map((c) => `${c.clock} ${c.status === 'met' ? 'met' : `by ${c.deadline ? this.planner.calendar.format(c.deadline) : 'paused'}`}`).join(', ')}`,
            data: planned.map((c) => ({ clock: c.clock, policy: c.policy, time: c.time, deadline: c.deadline?.toISOString() ?? null, warnAt: c.warnAt?.toISOString() ?? null, status: c.status })),
            eventId: e.eventId,
            correlationId: e.correlationId,
          },
        ]);
      }
      if (todo.length > 0) this.logger.debug({ complaints: todo.length }, 'deadlines set');
    });
  }
}
