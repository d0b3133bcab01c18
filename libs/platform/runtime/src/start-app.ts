import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Gauge } from 'prom-client';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ApiKeySeed } from '@klaxon/platform/config';
import { AuthModule } from '@klaxon/platform/auth';
import { BusTransportServer } from '@klaxon/platform/messaging';
import { OpenApiModule } from '@klaxon/platform/openapi';
import { OutboxRelay, ProcessedEventsPruner } from '@klaxon/platform/persistence';
import { HttpErrorFilter } from './http-error.filter';
import { recordHttpMetrics } from './http-metrics';
import type { Infrastructure } from './infrastructure';
import { NestPinoLogger } from './nest-logger';
import { RuntimeModule } from './runtime.module';
import type { Clock } from './tokens';

export interface StartAppOptions {
  service: string;
  infrastructure: Infrastructure;
  /** The stage modules this process runs (their controllers, consumers, schedulers). */
  features: Array<Type | DynamicModule>;
  http: { port: number; host: string; bodyLimitBytes?: number };
  /** Publish what the stage wrote to its outbox. */
  relayOutbox?: boolean;
  clock?: Clock;
  /** API keys created at start-up (API_KEYS; the embedded demo key). */
  apiKeys?: ApiKeySeed[];
  /** Idempotency claims older than this are pruned (unset: never). */
  processedEventsRetentionMs?: number;
}

export interface RunningApp {
  app: NestFastifyApplication;
  url: string;
  /** Graceful: stop consuming and taking requests, finish in-flight work, flush the outbox, disconnect. */
  stop(): Promise<void>;
}

export async function startApp(options: StartAppOptions): Promise<RunningApp> {
  const { infrastructure: infra } = options;
  @Module({
    imports: [
      RuntimeModule.forRoot({
        logger: infra.logger,
        metrics: infra.metrics,
        bus: infra.bus,
        dataSource: infra.dataSource,
        clock: options.clock,
      }),
      AuthModule.forRoot({ seeds: options.apiKeys ?? [], logger: infra.logger, metrics: infra.metrics }),
      OpenApiModule.forRoot({ title: `Klaxon ${options.service}`, version: '1' }),
      ...options.features,
    ],
  })
  class AppModule {}

  // One trusted hop (the ingress): the client address is the last X-Forwarded-For entry, which a
  // client cannot forge (trusting every hop would take the first, which it can — and dodge rate limits).
  const adapter = new FastifyAdapter({ bodyLimit: options.http.bodyLimitBytes ?? 256 * 1024, trustProxy: 1 });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, {
    logger: new NestPinoLogger(infra.logger.child({ component: 'nest' })),
    bufferLogs: false,
  });
  // Nest's Fastify adapter parses JSON and urlencoded form posts itself (registering @fastify/formbody too fails).
  app.useGlobalFilters(new HttpErrorFilter(infra.logger));
  recordHttpMetrics(app.getHttpAdapter().getInstance(), infra.metrics);
  app.connectMicroservice(
    { strategy: new BusTransportServer(infra.bus, { logger: infra.logger, metrics: infra.metrics }) },
    { inheritAppConfig: true },
  );

  const relay =
    options.relayOutbox === false
      ? null
      : new OutboxRelay({
          dataSource: infra.dataSource,
          bus: infra.bus,
          logger: infra.logger,
          settlement: infra.outboxSettlement,
        });
  const pruner = options.processedEventsRetentionMs
    ? new ProcessedEventsPruner({
        dataSource: infra.dataSource,
        logger: infra.logger,
        retentionMs: options.processedEventsRetentionMs,
      })
    : null;
  if (relay && !infra.metrics.getSingleMetric('klaxon_outbox_parked'))
    new Gauge({
      name: 'klaxon_outbox_parked',
      help: 'Outbox rows set aside after repeated failed publishes (see last_error in the outbox)',
      registers: [infra.metrics],
      async collect() {
        this.set(await relay.parkedCount().catch(() => 0));
      },
    });
  await app.startAllMicroservices();
  relay?.start();
  pruner?.start();
  await app.listen(options.http.port, options.http.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : options.http.port;
  const url = `http://${options.http.host === '0.0.0.0' ? '127.0.0.1' : options.http.host}:${port}`;
  infra.logger.info({ url, ...infra.describe }, `${options.service} started`);

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      infra.logger.info(`${options.service} stopping`);
      await app.close(); // closes the HTTP server and the bus transport (consumers drain and commit)
      await relay?.stop(); // after the consumers: what they committed to the outbox still goes out
      await pruner?.stop();
      await infra.close();
      infra.logger.info(`${options.service} stopped`);
    })());
  return { app, url, stop };
}

/**
 * SIGTERM/SIGINT stop the app gracefully; past the timeout the process exits anyway. A signal that
 * comes again while stopping (Ctrl+C reaches both `npm start` and node, and npm forwards its own) is
 * ignored rather than killing the process halfway through its stop.
 */
export function stopOnSignals(
  running: RunningApp,
  logger: Infrastructure['logger'],
  timeoutMs: number,
): void {
  let requested = false;
  const onSignal = (signal: string) => {
    if (requested) return;
    requested = true;
    logger.info({ signal }, 'shutdown requested');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'graceful shutdown timed out');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
