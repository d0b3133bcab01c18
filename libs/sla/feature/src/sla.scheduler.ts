import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from '@klaxon/platform/observability';
import { LOGGER } from '@klaxon/platform/runtime';
import { FireDueAlertsService } from './fire-due-alerts.service';
import { SLA_OPTIONS, type SlaOptions } from './sla.options';

/** Runs the alert pass on an interval; a full batch is followed at once by the next one. */
@Injectable()
export class SlaScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly alerts: FireDueAlertsService,
    @Inject(SLA_OPTIONS) private readonly options: SlaOptions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => (this.running = null));
    }, delayMs);
  }

  private async tick(): Promise<void> {
    let fired = 0;
    try {
      fired = await this.alerts.fireDue();
    } catch (err) {
      this.logger.error({ err }, 'sla scheduler pass failed; retrying');
    }
    this.schedule(fired >= this.options.scanBatchSize ? 0 : this.options.scanIntervalMs);
  }
}
