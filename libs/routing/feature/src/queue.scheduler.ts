import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE } from '@klaxon/platform/persistence';
import { CLOCK, LOGGER, type Clock } from '@klaxon/platform/runtime';
import { Reassignments } from './reassignments';
import { RootCauseDetector } from './root-cause-detector';
import { RootCauseWork } from './root-cause-work';
import { ROUTING_OPTIONS, type RoutingOptions } from './routing.options';
import { TeamQueue } from './team-queue';

/**
 * Time changes who is available: members come on shift, absences begin and end. On an interval this
 * gives absent owners' complaints to their replacement (or back through the team) and offers the team
 * queues to whoever is available now. Freeing capacity (a resolved complaint, a new member, more
 * capacity) triggers a queue pass at once; the timer is for what only the clock changes. The same pass
 * counts the categories routed since the last one for root-cause reviews and spikes, and notices the
 * reviews that went past their due date.
 */
@Injectable()
export class QueueScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(ROUTING_OPTIONS) private readonly options: RoutingOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly reassignments: Reassignments,
    private readonly queue: TeamQueue,
    private readonly rootCauses: RootCauseDetector,
    private readonly rootCauseWork: RootCauseWork,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.queueScanIntervalMs > 0) this.schedule(this.options.queueScanIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass: absences, root-cause counts and overdue reviews, then the queues. Returns how many complaints got an owner from a queue. */
  async runOnce(): Promise<number> {
    const now = this.clock.now();
    await this.dataSource.transaction((manager) => this.reassignments.reassignFromAbsent(manager, now));
    const categories = this.rootCauses.takeDirtyCategories();
    try {
      await this.dataSource.transaction((manager) =>
        this.rootCauses.checkRootCauses(manager, categories, now),
      );
    } catch (err) {
      for (const c of categories) this.rootCauses.markDirty(c); // counted again next pass
      throw err;
    }
    await this.dataSource.transaction((manager) => this.rootCauseWork.markOverdue(manager, now));
    const assigned = await this.dataSource.transaction((manager) => this.queue.dequeue(manager, now));
    if (assigned.length) this.logger.info({ assigned: assigned.length }, 'assigned from the team queues');
    return assigned.length;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => (this.running = null));
    }, delayMs);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    let assigned = 0;
    try {
      assigned = await this.runOnce();
    } catch (err) {
      this.logger.error({ err }, 'queue pass failed; retrying');
    }
    this.schedule(assigned >= this.options.queueBatchSize ? 0 : this.options.queueScanIntervalMs);
  }
}
