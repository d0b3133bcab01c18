import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from '@klaxon/platform/observability';
import { CLOCK, LOGGER, type Clock } from '@klaxon/platform/runtime';
import { CustomerMessagesService } from './customer-messages.service';
import { FireDueAlertsService } from './fire-due-alerts.service';
import { SlaAnalysisService } from './sla-analysis.service';
import { SLA_OPTIONS, type SlaOptions } from './sla.options';
import { WebhooksService } from './webhooks.service';

/**
 * Runs the passes on an interval: alerts (a full batch is followed at once by the next one),
 * customer messages and webhook deliveries every tick, team share and breach prediction less often.
 * Every pass claims its rows with SKIP LOCKED, so any number of replicas can run it.
 */
@Injectable()
export class SlaScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private lastAnalysis = 0;

  constructor(
    private readonly alerts: FireDueAlertsService,
    private readonly messages: CustomerMessagesService,
    private readonly webhooks: WebhooksService,
    private readonly analysis: SlaAnalysisService,
    @Inject(SLA_OPTIONS) private readonly options: SlaOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.scheduler !== false) this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then((fired) => this.schedule(fired >= this.options.scanBatchSize ? 0 : this.options.scanIntervalMs))
        .finally(() => (this.running = null));
    }, delayMs);
  }

  /** One round of every pass; returns how many alerts fired. */
  async runOnce(): Promise<number> {
    let fired = 0;
    const pass = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await run();
      } catch (err) {
        this.logger.error({ err, pass: name }, 'sla scheduler pass failed; retrying next tick');
        return undefined;
      }
    };
    fired = (await pass('alerts', () => this.alerts.fireDue())) ?? 0;
    await pass('messages', () => this.messages.sendDue());
    await pass('webhooks', () => this.webhooks.deliverDue());
    const now = this.clock.now().getTime();
    if (now - this.lastAnalysis >= (this.options.analysisIntervalMs ?? 60_000)) {
      this.lastAnalysis = now;
      await pass('team-share', () => this.analysis.checkTeamShares());
      await pass('prediction', () => this.analysis.predictBreaches());
    }
    return fired;
  }
}
