import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger, Registry } from '@klaxon/platform/observability';
import { DATA_SOURCE } from '@klaxon/platform/persistence';
import { CLOCK, LOGGER, METRICS, type Clock } from '@klaxon/platform/runtime';
import type { MailboxConfig } from './email-ingest.options';
import { emailMetrics } from './email-metrics';
import { EmailStore } from './email-store';
import { MailboxWorker } from './mailbox-worker';

export const EMAIL_MAILBOXES = Symbol('EMAIL_MAILBOXES');

/** One worker per configured mailbox folder, started with the app and stopped gracefully with it. */
@Injectable()
export class MailboxWorkersService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly workers: MailboxWorker[];

  constructor(
    @Inject(EMAIL_MAILBOXES) mailboxes: MailboxConfig[],
    @Inject(DATA_SOURCE) dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS) metrics: Registry,
    @Inject(CLOCK) clock: Clock,
  ) {
    const deps = { store: new EmailStore(dataSource), logger, metrics: emailMetrics(metrics), clock };
    this.workers = mailboxes.map((m) => new MailboxWorker(m, deps));
  }

  onApplicationBootstrap(): void {
    for (const w of this.workers) w.start();
    if (this.workers.length)
      this.logger.info({ mailboxes: this.workers.map((w) => w.config.name) }, 'email ingest started');
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }
}
