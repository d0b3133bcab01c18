import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { ComplaintClassified } from '@klaxon/contracts';
import type { ConsumedEvent } from '@klaxon/platform/messaging';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE, appendHistory, claimFresh } from '@klaxon/platform/persistence';
import { LOGGER } from '@klaxon/platform/runtime';
import { ClockPlannerService, distinctRounds } from './clock-planner.service';
import { CustomerMessagesService } from './customer-messages.service';
import { SLA_CONSUMER } from './set-deadlines.service';

export const SLA_CLASSIFIED_CONSUMER = `${SLA_CONSUMER}-classified`;

/**
 * Starts the clocks as soon as a complaint is recognised as one, before it has an owner: the owner
 * clock then really measures the routing (a complaint stuck in a queue breaches it), and the
 * automatic acknowledgement goes out within the hour even while it waits. Not-a-complaint signals
 * get no clocks. Assignment (SetDeadlinesService) later meets the owner clock; order does not matter.
 */
@Injectable()
export class StartClocksService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly planner: ClockPlannerService,
    private readonly messages: CustomerMessagesService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(batch: ConsumedEvent<ComplaintClassified>[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const todo = (
        await claimFresh(
          manager,
          SLA_CLASSIFIED_CONSUMER,
          batch.map((e) => e.envelope),
          (e) => e.eventId,
        )
      ).filter((e) => e.data.complaint !== 'none');
      for (const round of distinctRounds(todo, (e) => e.data.complaintId)) {
        const steps = await this.planner.loadStepsMany(
          manager,
          round.map((e) => e.data.complaintId),
        );
        const work = round.map((e) => {
          const c = e.data;
          const facts = {
            complaintId: c.complaintId,
            channel: c.channel,
            category: c.category,
            priority: c.priority,
            receivedAt: new Date(c.receivedAt),
            ownerId: null,
            teamId: null,
            assignedAt: null,
          };
          return { e, facts, planned: this.planner.plan(facts, steps.get(c.complaintId)!) };
        });
        await this.planner.writeMany(manager, work);
        await this.messages.queueAcknowledgements(
          manager,
          work
            .filter(({ planned }) => planned.find((p) => p.clock === 'acknowledgement')?.status !== 'met')
            .map(({ e, planned }) => ({
              complaintId: e.data.complaintId,
              firstResponseBy: planned.find((p) => p.clock === 'first-response')?.deadline ?? null,
              at: new Date(e.data.classifiedAt),
            })),
        );
        await appendHistory(
          manager,
          work.map(({ e, planned }) => ({
            complaintId: e.data.complaintId,
            at: e.data.classifiedAt,
            kind: 'clocks-started',
            actor: 'sla',
            reason: `policy ${planned[0]?.policy}`,
            eventId: e.eventId,
            correlationId: e.correlationId,
          })),
        );
      }
      if (todo.length > 0) this.logger.debug({ complaints: todo.length }, 'clocks started');
    });
  }
}
