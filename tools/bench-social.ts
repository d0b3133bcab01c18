/**
 * npm run bench:social [-- --backfill 3000 --live 200]
 *
 * The X channel with the real twitter-api-v2 client against the local X API, real PostgreSQL
 * (throwaway cluster) and the in-process bus. Prints, side by side:
 *  - catch-up: posts per second from the recent search (100 per page) to acknowledged events, next
 *    to what X's own rate limit allows (450 search requests / 15 min on an app token);
 *  - live: delay from a post being written to the stream to its ComplaintReceived on the bus
 *    (p50/p99), next to polling the search every 60 s (the fallback's default) as the baseline.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ComplaintReceivedEvent, allTopics, decodeEvent } from '@klaxon/contracts';
import { parseSocialQuery } from '@klaxon/ingest-social/domain';
import { SocialIngestPipeline, SocialMetrics, XSource } from '@klaxon/ingest-social/feature';
import { InProcessMessageBus } from '@klaxon/platform/messaging';
import { createMetricsRegistry, silentLogger } from '@klaxon/platform/observability';
import { OutboxRelay, createDataSource, runMigrations } from '@klaxon/platform/persistence';
import { startFakeXApi, startPostgresCluster } from '@klaxon/testing';

const { values: args } = parseArgs({
  options: { backfill: { type: 'string', default: '3000' }, live: { type: 'string', default: '200' } },
});
const BACKFILL = Number(args.backfill);
const LIVE = Number(args.live);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const [pg, x] = await Promise.all([startPostgresCluster(), startFakeXApi({ keepAliveMs: 1_000 })]);
  const ds = createDataSource({ url: await pg.createDatabase('bench_social'), poolMax: 4 });
  await ds.initialize();
  await runMigrations(ds);
  const bus = new InProcessMessageBus({ logger: silentLogger });
  await bus.ensureTopics(allTopics());
  const arrived = new Map<string, number>();
  const sub = await bus.subscribe({
    groupId: 'bench',
    topics: [ComplaintReceivedEvent.topic],
    handler: async (messages) => {
      for (const m of messages) {
        const d = decodeEvent(ComplaintReceivedEvent, m.value);
        if (d.ok) arrived.set(d.envelope.data.social!.postId, performance.now());
      }
    },
  });
  for (let u = 0; u < 50; u++)
    x.addUser({ id: `u${u}`, username: `user${u}`, name: `User ${u}`, followers: u * 37 });
  let next = 10_000_000n;
  const post = (i: number) => ({
    id: String(next++),
    text: `@KlaxonBank bericht ${i}: mijn bestelling is nog steeds niet geleverd`,
    authorId: `u${i % 50}`,
    lang: 'nl',
  });
  for (let i = 0; i < BACKFILL; i++) x.push(post(i), { stream: false });

  const source = new XSource({
    bearerToken: x.bearerToken,
    baseUrl: x.baseUrl,
    ca: x.ca,
    query: parseSocialQuery('@KlaxonBank'),
    pageSize: 100,
    logger: silentLogger,
  });
  const pipeline = new SocialIngestPipeline(
    source,
    {
      dataSource: ds,
      logger: silentLogger,
      metrics: new SocialMetrics(createMetricsRegistry('bench')),
      clock: { now: () => new Date() },
    },
    { pollIntervalMs: 60_000, authRetryMs: 60_000, reconnect: { initialMs: 100, maxMs: 1_000 } },
  );
  // Posts are registered through the outbox; the relay hands them to the bus, as in the apps.
  const relay = new OutboxRelay({ dataSource: ds, bus, logger: silentLogger });
  relay.start();
  const t0 = performance.now();
  pipeline.start();
  while (pipeline.status().state !== 'streaming') await new Promise((r) => setTimeout(r, 5));
  while (arrived.size < BACKFILL && performance.now() - t0 < 60_000)
    await new Promise((r) => setTimeout(r, 5));
  const backfillMs = performance.now() - t0;
  if (arrived.size !== BACKFILL)
    throw new Error(`expected ${BACKFILL} backfilled posts, got ${arrived.size}`);

  const written = new Map<string, number>();
  for (let i = 0; i < LIVE; i++) {
    const p = post(BACKFILL + i);
    written.set(p.id, performance.now());
    x.push(p);
    await new Promise((r) => setTimeout(r, 10));
  }
  const deadline = Date.now() + 60_000;
  while (arrived.size < BACKFILL + LIVE && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const delays = [...written].map(([id, at]) => (arrived.get(id) ?? NaN) - at).sort((a, b) => a - b);
  if (delays.some(Number.isNaN)) throw new Error('some live posts did not arrive');

  await pipeline.stop();
  await relay.stop();
  await sub.stop();
  await bus.close();
  await ds.destroy();
  await Promise.all([pg.stop(), x.stop()]);

  const perSecond = (BACKFILL / backfillMs) * 1000;
  const xLimitPerSecond = (450 * 100) / (15 * 60);
  console.log(`social (X) on ${BACKFILL} backfilled + ${LIVE} live posts`);
  console.log(
    `  catch-up from recent search : ${perSecond.toFixed(0)} posts/s  (${(backfillMs / 1000).toFixed(2)} s)   | X's rate limit allows ${xLimitPerSecond.toFixed(0)} posts/s`,
  );
  console.log(
    `  stream → ComplaintReceived  : p50 ${percentile(delays, 50).toFixed(1)} ms, p99 ${percentile(delays, 99).toFixed(1)} ms   | polling every 60 s: mean 30000 ms`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
