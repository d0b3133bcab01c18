import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { DataSource } from 'typeorm';
import { MESSAGE_BUS, type MessageBus } from '@klaxon/platform/messaging';
import { DATA_SOURCE } from '@klaxon/platform/persistence';
import type { Registry } from '@klaxon/platform/observability';
import { METRICS } from './tokens';

/** Kubernetes probes and Prometheus scraping, the same on every app. */
@Controller()
export class HealthController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(METRICS) private readonly metrics: Registry,
  ) {}

  @Get('health/live')
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const checks = { database: await this.databaseUp(), bus: this.bus.isHealthy() };
    const ok = checks.database && checks.bus;
    // Outbox rows set aside after repeated failed publishes: said here (and in klaxon_outbox_parked)
    // for an operator to look at, without taking the process out of service.
    const outboxParked = checks.database ? await this.outboxParked() : null;
    // A consumer retrying the same batch while a dependency is away says so, with the reason.
    const stalled = this.bus.stalls();
    await reply.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).send({
      status: ok ? 'ok' : stalled.length > 0 ? 'stalled' : 'unavailable',
      checks,
      outboxParked,
      stalled,
    });
  }

  @Get('metrics')
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    await reply.header('content-type', this.metrics.contentType).send(await this.metrics.metrics());
  }

  private async outboxParked(): Promise<number | null> {
    try {
      const [{ n }] = (await this.dataSource.query(
        'SELECT count(*)::int AS n FROM outbox WHERE parked_at IS NOT NULL',
      )) as Array<{ n: number }>;
      return n;
    } catch {
      return null;
    }
  }

  private async databaseUp(): Promise<boolean> {
    try {
      await this.dataSource.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }
}
