/**
 * npm run bench:email [-- --backfill 3000 --live 60]
 *
 * The email channel against a real Dovecot on loopback (mail delivered with dovecot-lda), real
 * PostgreSQL (throwaway cluster) and a real bus. Prints, side by side:
 *  - backfill: mails per second from a mailbox full of unread mail to acknowledged ComplaintReceived
 *    events, checkpointed and flagged \Seen — on the Kafka mock cluster and on the in-process bus;
 *  - arrival: delay from the start of a delivery to the ComplaintReceived on Kafka for single mails
 *    arriving while the worker idles (p50/p99), next to polling every 30 s (Zammad's default).
 * Targets (issue 5): ≥ 300 mails/s backfill on 2 cores; p99 ≤ 2 s on arrival.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { allTopics } from '@klaxon/contracts';
import { EmailStore, MailboxWorker, emailMetrics } from '@klaxon/ingest-email/feature';
import { InProcessMessageBus, KafkaMessageBus, type MessageBus } from '@klaxon/platform/messaging';
import { createMetricsRegistry, silentLogger } from '@klaxon/platform/observability';
import { OutboxRelay, createDataSource, runMigrations } from '@klaxon/platform/persistence';
import {
  startDovecot,
  startKafkaMockCluster,
  startPostgresCluster,
  type RunningDovecot,
} from '@klaxon/testing';
import type { DataSource } from 'typeorm';
import { BusCollector, mail, mailboxConfig } from '@klaxon/ingest-email/feature/testing';

const { values: args } = parseArgs({
  options: { backfill: { type: 'string', default: '3000' }, live: { type: 'string', default: '60' } },
});
const BACKFILL = Number(args.backfill);
const LIVE = Number(args.live);

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function deliverMany(dv: RunningDovecot, folder: string, count: number, prefix: string): Promise<void> {
  const body =
    'Beste klantenservice,\r\n\r\nMijn pakket is voor de derde keer niet bezorgd. Ik wil graag dat dit wordt opgelost.\r\n'.repeat(
      4,
    );
  for (let i = 0; i < count; i += 16) {
    await Promise.all(
      Array.from({ length: Math.min(16, count - i) }, (_, k) =>
        dv.deliver(
          mail({ id: `${prefix}-${i + k}@klant.example`, subject: `Klacht ${i + k}`, body }),
          folder,
        ),
      ),
    );
  }
}

/** A worker, and a relay that hands what it registers (through the outbox) to `bus`, as in the apps. */
function newWorker(
  dv: RunningDovecot,
  ds: DataSource,
  bus: MessageBus,
  folder: string,
): { worker: MailboxWorker; relay: OutboxRelay } {
  const relay = new OutboxRelay({ dataSource: ds, bus, logger: silentLogger });
  relay.start();
  const worker = new MailboxWorker(
    mailboxConfig({
      host: dv.host,
      port: dv.tlsPort,
      secure: 'tls',
      ca: dv.ca,
      user: dv.user,
      password: dv.password,
      folder,
      batchSize: 200,
      pollIntervalMs: 30_000,
    }),
    {
      store: new EmailStore(ds),
      logger: silentLogger,
      metrics: emailMetrics(createMetricsRegistry('bench-email')),
      clock: { now: () => new Date() },
    },
  );
  return { worker, relay };
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('bench timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function backfill(
  dv: RunningDovecot,
  ds: DataSource,
  bus: MessageBus,
  collector: BusCollector,
  folder: string,
): Promise<number> {
  process.stdout.write(`  delivering ${BACKFILL} mails to ${folder} with dovecot-lda… `);
  await deliverMany(dv, folder, BACKFILL, folder);
  process.stdout.write('done\n');
  const { worker, relay } = newWorker(dv, ds, bus, folder);
  const started = performance.now();
  worker.start();
  await waitUntil(async () => {
    const [{ n }] = (await ds.query('SELECT count(*)::int AS n FROM email_messages WHERE mailbox = $1', [
      worker.config.name,
    ])) as Array<{ n: number }>;
    return (
      n >= BACKFILL &&
      new Set(collector.complaintsIn(worker.config.name).map((e) => e.data.complaintId)).size >= BACKFILL
    );
  }, 600_000);
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();
  await relay.stop();
  return BACKFILL / seconds;
}

async function main(): Promise<void> {
  const [pg, dv, kafka] = await Promise.all([
    startPostgresCluster(),
    startDovecot(),
    startKafkaMockCluster({ brokers: 1 }),
  ]);
  const ds = createDataSource({ url: await pg.createDatabase('bench_email'), poolMax: 4 });
  await ds.initialize();
  await runMigrations(ds);
  const kafkaBus = new KafkaMessageBus({
    clientId: 'bench-email',
    brokers: kafka.brokers,
    logger: silentLogger,
    consumer: {
      sessionTimeout: 6000,
      heartbeatInterval: 500,
      rebalanceTimeout: 6000,
      maxWaitTimeInMs: 20,
      partitionsConsumedConcurrently: 4,
    },
  });
  await kafkaBus.ensureTopics(allTopics());
  const memoryBus = new InProcessMessageBus({ logger: silentLogger });
  const onKafka = new BusCollector();
  const inMemory = new BusCollector();
  await Promise.all([onKafka.start(kafkaBus, 'bench-email'), inMemory.start(memoryBus, 'bench-email')]);
  try {
    console.log(
      `bench:email — Dovecot over TLS, PostgreSQL, ${BACKFILL} mails backfill, ${LIVE} single arrivals`,
    );
    const kafkaRate = await backfill(dv, ds, kafkaBus, onKafka, 'BackfillKafka');
    const memoryRate = await backfill(dv, ds, memoryBus, inMemory, 'BackfillMemory');

    // Arrival while idle: one mail at a time, spaced so the worker is back in IDLE before each.
    const { worker, relay } = newWorker(dv, ds, kafkaBus, 'Live');
    await deliverMany(dv, 'Live', 1, 'warmup');
    worker.start();
    await waitUntil(() => onKafka.complaintsIn(worker.config.name).length === 1, 60_000);
    const delays: number[] = [];
    for (let i = 0; i < LIVE; i++) {
      await new Promise((r) => setTimeout(r, 400));
      const before = onKafka.complaintsIn(worker.config.name).length;
      const t0 = Date.now();
      await dv.deliver(mail({ id: `live-${i}@klant.example`, subject: `Live ${i}` }), 'Live');
      await waitUntil(() => onKafka.complaintsIn(worker.config.name).length > before, 30_000);
      delays.push(onKafka.complaintsIn(worker.config.name)[before].seenAt - t0);
    }
    await worker.stop();
    await relay.stop();
    delays.sort((a, b) => a - b);

    const row = (label: string, value: string, target: string) =>
      console.log(`  ${label.padEnd(48)}${value.padStart(14)}   ${target}`);
    console.log('');
    row('backfill, Kafka (mock cluster), mails/s', kafkaRate.toFixed(0), 'target ≥ 300');
    row('backfill, in-process bus, mails/s', memoryRate.toFixed(0), '');
    row(
      'arrival → ComplaintReceived on Kafka, p50 ms',
      delays.length ? String(percentile(delays, 50)) : '-',
      'polling every 30 s: ~15000',
    );
    row(
      'arrival → ComplaintReceived on Kafka, p99 ms',
      delays.length ? String(percentile(delays, 99)) : '-',
      'target ≤ 2000; polling: ~29700',
    );
    row('arrival, max ms', delays.length ? String(delays[delays.length - 1]) : '-', '');
  } finally {
    await Promise.all([onKafka.stop(), inMemory.stop()]);
    await kafkaBus.close();
    await memoryBus.close();
    await ds.destroy();
    await Promise.all([pg.stop(), dv.stop(), kafka.stop()]);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
