import type { DataSource } from 'typeorm';
import { allTopics } from '@klaxon/contracts';
import type { RuntimeConfig } from '@klaxon/platform/config';
import {
  InProcessMessageBus,
  KafkaMessageBus,
  SETTLEMENT_ID_HEADER,
  type MessageBus,
} from '@klaxon/platform/messaging';
import {
  createDataSource,
  runMigrations,
  startEmbeddedPostgres,
  type OutboxSettlement,
} from '@klaxon/platform/persistence';
import {
  createLogger,
  createMetricsRegistry,
  type Logger,
  type Registry,
} from '@klaxon/platform/observability';

/** The real parts one process talks to: the bus, the database, and where it logs and counts. */
export interface Infrastructure {
  bus: MessageBus;
  dataSource: DataSource;
  logger: Logger;
  metrics: Registry;
  /**
   * Set with the in-process bus, which holds events only in memory: the outbox keeps each row until the
   * bus settled it, so a stop or a crash loses nothing (see OutboxRelay).
   */
  outboxSettlement?: OutboxSettlement;
  /** What this process runs on, for the start-up log line and the README. */
  describe: { bus: string; database: string };
  close(): Promise<void>;
}

export interface InfrastructureOptions {
  service: string;
  config: RuntimeConfig;
  /** Only the all-in-one `klaxon` app may fall back to the in-process bus and embedded PostgreSQL. */
  embedded?: { dataDir: string | undefined; pgPort?: number };
}

export async function connectInfrastructure({
  service,
  config,
  embedded,
}: InfrastructureOptions): Promise<Infrastructure> {
  const logger = createLogger({ service, level: config.logLevel });
  const metrics = createMetricsRegistry(service);
  if ((!config.kafka || !config.database) && !embedded) {
    throw new Error(`${service} needs KAFKA_BROKERS and DATABASE_URL (only \`npm start\` runs embedded)`);
  }

  const closers: Array<() => Promise<void>> = [];
  let databaseUrl = config.database?.url;
  let poolMax = config.database?.poolMax ?? 1;
  let databaseLabel = 'postgresql';
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres({ dataDir: embedded?.dataDir, port: embedded?.pgPort });
    closers.push(() => pg.stop());
    databaseUrl = pg.url;
    poolMax = 1; // PGlite has one session: one connection keeps transactions isolated
    databaseLabel = `embedded PGlite (${embedded?.dataDir ?? 'in memory'})`;
  }
  const dataSource = createDataSource({ url: databaseUrl, poolMax });
  await dataSource.initialize();
  closers.unshift(() => dataSource.destroy());
  if (config.database?.migrate ?? true) await runMigrations(dataSource);

  const inProcess = config.kafka ? null : new InProcessMessageBus({ logger, metrics });
  const bus: MessageBus = inProcess
    ? inProcess
    : new KafkaMessageBus({
        clientId: `${config.kafka!.clientId}-${service}`,
        brokers: config.kafka!.brokers,
        idempotentProducer: config.kafka!.idempotentProducer,
        logger,
        metrics,
        consumer: config.kafka!.consumer,
      });
  closers.unshift(() => bus.close());
  await bus.ensureTopics(allTopics());

  return {
    bus,
    dataSource,
    logger,
    metrics,
    outboxSettlement: inProcess
      ? { header: SETTLEMENT_ID_HEADER, onSettled: (listener) => inProcess.onSettled(listener) }
      : undefined,
    describe: {
      bus: config.kafka ? `kafka (${config.kafka.brokers.join(',')})` : 'in-process',
      database: databaseLabel,
    },
    close: async () => {
      for (const close of closers)
        await close().catch((err: unknown) => logger.error({ err }, 'close failed'));
    },
  };
}
