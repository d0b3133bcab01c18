import type { DataSource } from 'typeorm';
import {
  allTopics,
  ComplaintReceivedEvent,
  complaintIdFor,
  decodeEvent,
  type ComplaintReceived,
} from '@klaxon/contracts';
import { parseSocialQuery } from '@klaxon/ingest-social/domain';
import { InProcessMessageBus, type Subscription } from '@klaxon/platform/messaging';
import {
  createLogger,
  createMetricsRegistry,
  type Logger,
  type Registry,
} from '@klaxon/platform/observability';
import { OutboxRelay, createDataSource, runMigrations } from '@klaxon/platform/persistence';
import { startFakeXApi, startPostgresCluster, type FakeXApi, type PostgresCluster } from '@klaxon/testing';
import { SocialIngestPipeline, type SocialPipelineOptions } from './social-ingest.pipeline';
import { SocialMetrics } from './social-metrics';
import { XSource } from './x/x-source';

// The pipeline with the real twitter-api-v2 client against a local X API, real PostgreSQL, and the in-process bus.
describe('social ingest pipeline (X)', () => {
  let pg: PostgresCluster;
  let x: FakeXApi;
  let ds: DataSource;
  let bus: InProcessMessageBus;
  let sub: Subscription;
  let relay: OutboxRelay;
  let registry: Registry;
  let metrics: SocialMetrics;
  let logs: Array<Record<string, unknown>>;
  let logger: Logger;
  let events: ComplaintReceived[];
  const pipelines: SocialIngestPipeline[] = [];
  let dbCount = 0;

  beforeAll(async () => {
    pg = await startPostgresCluster();
  });
  afterAll(() => pg.stop());

  beforeEach(async () => {
    x = await startFakeXApi({ keepAliveMs: 50 });
    x.addUser({ id: 'u1', username: 'AnnaDV', name: 'Anna de Vries', followers: 15_300 });
    x.addUser({ id: 'u2', username: 'piet', name: 'Piet', followers: 12, protected: true });
    ds = createDataSource({ url: await pg.createDatabase(`social_${++dbCount}`), poolMax: 4 });
    await ds.initialize();
    await runMigrations(ds);
    logs = [];
    logger = createLogger({
      service: 'test',
      level: 'debug',
      destination: { write: (line: string) => void logs.push(JSON.parse(line)) },
    });
    bus = new InProcessMessageBus({ logger });
    await bus.ensureTopics(allTopics());
    events = [];
    sub = await bus.subscribe({
      groupId: 'test-observer',
      topics: [ComplaintReceivedEvent.topic],
      handler: async (messages) => {
        for (const m of messages) {
          const decoded = decodeEvent(ComplaintReceivedEvent, m.value);
          if (!decoded.ok) throw new Error(decoded.message);
          events.push(decoded.envelope.data);
        }
      },
    });
    // Posts are registered through the outbox; the relay hands them to the bus, as in the apps.
    relay = new OutboxRelay({ dataSource: ds, bus, logger, idleDelayMs: 50 });
    relay.start();
    registry = createMetricsRegistry('test');
    metrics = new SocialMetrics(registry);
  });

  afterEach(async () => {
    await Promise.all(pipelines.splice(0).map((p) => p.stop()));
    await relay.stop();
    await sub.stop();
    await bus.close();
    await ds.destroy();
    await x.stop();
  });

  function pipeline(
    over: { token?: string; options?: Partial<SocialPipelineOptions> } = {},
  ): SocialIngestPipeline {
    const source = new XSource({
      bearerToken: over.token ?? x.bearerToken,
      baseUrl: x.baseUrl,
      ca: x.ca,
      query: parseSocialQuery('@KlaxonBank, klaxon bank'),
      pageSize: 10,
      keepAliveTimeoutMs: 2_000,
      logger,
      onRateLimitWait: (endpoint) =>
        metrics.rateLimitWaits.inc({ channel: 'social', network: 'x', endpoint }),
    });
    const p = new SocialIngestPipeline(
      source,
      { dataSource: ds, logger, metrics, clock: { now: () => new Date() } },
      {
        pollIntervalMs: 200,
        authRetryMs: 60_000,
        reconnect: { initialMs: 100, maxMs: 400 },
        ...over.options,
      },
    );
    pipelines.push(p);
    p.start();
    return p;
  }

  const idOf = (postId: string) => complaintIdFor('social', `x:${postId}`);
  const received = () => events.map((e) => e.social?.postId).sort();
  const checkpoint = async () =>
    (
      (await ds.query(`SELECT newest_post_id FROM social_checkpoints WHERE network = 'x'`)) as Array<{
        newest_post_id: string;
      }>
    )[0]?.newest_post_id;
  const metric = async (name: string) =>
    (await registry.getSingleMetricAsString(name))
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .reduce((n, l) => n + Number(l.split(' ').pop()), 0);

  /** Everything registered so far went through the relay and was consumed: a later event cannot come. */
  async function settled(): Promise<void> {
    await waitFor(
      async () =>
        ((await ds.query('SELECT count(*)::int AS n FROM outbox')) as Array<{ n: number }>)[0].n === 0 &&
        bus.pendingCount() === 0,
      'outbox relayed and consumed',
    );
  }

  async function streaming(p: SocialIngestPipeline): Promise<void> {
    await waitFor(() => p.status().state === 'streaming', 'pipeline streaming');
  }

  it('turns stream posts (between keep-alives, replies and quotes too) into ComplaintReceived events and complaint rows', async () => {
    const p = pipeline();
    await x.waitForStreams(1);
    await streaming(p);
    expect(
      x
        .rules()
        .map((r) => r.value)
        .sort(),
    ).toEqual(['"klaxon bank" -is:retweet', '@KlaxonBank -is:retweet']);
    await sleep(200); // keep-alives flow
    x.push({
      id: '1001',
      text: '@KlaxonBank mijn pas is geblokkeerd',
      authorId: 'u1',
      lang: 'nl',
      conversationId: '1001',
    });
    x.push({
      id: '1002',
      text: '@KlaxonBank nog steeds niets gehoord',
      authorId: 'u1',
      lang: 'nl',
      conversationId: '1001',
      referencedTweets: [{ type: 'replied_to', id: '1001' }],
    });
    x.push({
      id: '1003',
      text: 'klaxon bank again... ',
      authorId: 'u2',
      lang: 'en',
      referencedTweets: [{ type: 'quoted', id: '999' }],
    });
    x.push({ id: '1004', text: 'something else entirely', authorId: 'u1' });
    await waitFor(() => events.length === 3, 'three events');

    expect(received()).toEqual(['1001', '1002', '1003']);
    const reply = events.find((e) => e.social?.postId === '1002')!;
    expect(reply).toMatchObject({
      complaintId: idOf('1002'),
      channel: 'social',
      sourceId: 'x:1002',
      languageHint: 'nl',
      customer: { name: 'Anna de Vries', handle: 'annadv' },
      social: {
        network: 'x',
        postId: '1002',
        conversationId: '1001',
        authorId: 'u1',
        handle: 'AnnaDV',
        followers: 15_300,
        url: 'https://x.com/AnnaDV/status/1002',
        isPublic: true,
      },
    });
    expect(events.find((e) => e.social?.postId === '1003')?.social?.isPublic).toBe(false);

    await waitFor(async () => (await checkpoint()) === '1003', 'checkpoint at 1003');
    const rows: Array<{
      id: string;
      channel: string;
      status: string;
      channel_meta: { social: { postId: string } };
    }> = await ds.query(`SELECT id, channel, status, channel_meta FROM complaints ORDER BY source_id`);
    expect(rows.map((r) => [r.id, r.channel, r.status, r.channel_meta.social.postId])).toEqual([
      [idOf('1001'), 'social', 'received', '1001'],
      [idOf('1002'), 'social', 'received', '1002'],
      [idOf('1003'), 'social', 'received', '1003'],
    ]);
    const history: Array<{ kind: string }> = await ds.query(
      `SELECT kind FROM complaint_history WHERE complaint_id = $1`,
      [idOf('1002')],
    );
    expect(history.map((h) => h.kind)).toEqual(['received']);
    await waitFor(
      async () => (await metric('klaxon_social_posts_received_total')) === 3,
      'received metric 3',
    );
    expect(logs.some((l) => l.msg === 'social post received' && l.complaintId === idOf('1001'))).toBe(true);
  });

  it('catches up through every search page at start, after waiting out a 429 with its reset', async () => {
    for (let i = 1; i <= 25; i++)
      x.push({ id: String(2000 + i), text: `@KlaxonBank bericht ${i}`, authorId: i % 2 ? 'u1' : 'u2' });
    x.failNext({ endpoint: 'search', status: 429, resetInSeconds: 1 });
    const p = pipeline();
    await streaming(p);
    await waitFor(() => events.length === 25, '25 events');
    expect(new Set(received()).size).toBe(25);
    const searches = x.requests().filter((r) => r.endpoint === 'search');
    expect(searches.map((r) => r.status)).toEqual([429, 200, 200, 200]);
    expect(searches[1].at).toBeGreaterThanOrEqual(Math.floor(searches[0].at / 1000) * 1000 + 1000);
    expect(await checkpoint()).toBe('2025');
    expect(await metric('klaxon_social_rate_limit_waits_total')).toBe(1);
    expect(logs.some((l) => l.msg === 'X rate limit reached: waiting for the reset')).toBe(true);
  });

  it('reconnects a dropped stream, covers the gap from the search, and repeats nothing', async () => {
    const p = pipeline();
    await streaming(p);
    x.push({ id: '3001', text: '@KlaxonBank one', authorId: 'u1' });
    await waitFor(() => events.length === 1, 'first event');
    await waitFor(async () => (await checkpoint()) === '3001', 'checkpoint 3001');

    x.dropStreams();
    // posted while disconnected: only the search can see them
    x.push({ id: '3002', text: '@KlaxonBank two', authorId: 'u1' });
    x.push({ id: '3003', text: '@KlaxonBank three', authorId: 'u2' });
    await waitFor(
      () => x.requests().filter((r) => r.endpoint === 'stream').length === 2,
      'second stream connection',
    );
    await streaming(p);
    x.push({ id: '3004', text: '@KlaxonBank four', authorId: 'u1' });
    await waitFor(() => events.length >= 4, 'four events');
    await waitFor(async () => (await checkpoint()) === '3004', 'checkpoint 3004');
    await settled();
    expect(received()).toEqual(['3001', '3002', '3003', '3004']);
    const searches = x.requests().filter((r) => r.endpoint === 'search');
    expect(searches.at(-1)?.query.since_id).toBe('3001');
    expect(logs.some((l) => l.msg === 'social source interrupted: reconnecting with backoff')).toBe(true);
  });

  it('restarts from the checkpoint: nothing lost, nothing repeated, even when the checkpoint lagged behind the bus', async () => {
    const first = pipeline();
    await streaming(first);
    x.push({ id: '4001', text: '@KlaxonBank a', authorId: 'u1' });
    x.push({ id: '4002', text: '@KlaxonBank b', authorId: 'u1' });
    await waitFor(() => events.length === 2, 'two events');
    await waitFor(async () => (await checkpoint()) === '4002', 'checkpoint 4002');
    await first.stop();
    pipelines.splice(pipelines.indexOf(first), 1);

    // a crash after the bus acked 4002 but before its checkpoint was written
    await ds.query(`UPDATE social_checkpoints SET newest_post_id = '4001'`);
    x.push({ id: '4003', text: '@KlaxonBank c (while down)', authorId: 'u2' });
    x.push({ id: '4004', text: '@KlaxonBank d (while down)', authorId: 'u1' });

    const second = pipeline();
    await streaming(second);
    await waitFor(() => events.length >= 4, 'four events');
    await waitFor(async () => (await checkpoint()) === '4004', 'checkpoint 4004');
    await settled();
    expect(received()).toEqual(['4001', '4002', '4003', '4004']);
    expect(await metric('klaxon_social_duplicates_skipped_total')).toBe(1);
    expect(
      x
        .requests()
        .filter((r) => r.endpoint === 'search')
        .at(-1)?.query.since_id,
    ).toBe('4001');
  });

  it('on a 401 says so clearly, reports unauthorized, retries slowly instead of crash-looping, and recovers', async () => {
    x.setBearerToken('the-real-token');
    const p = pipeline({ token: 'test-token', options: { authRetryMs: 700 } });
    await waitFor(() => p.status().state === 'unauthorized', 'unauthorized');
    expect(p.status().lastError).toMatchObject({
      kind: 'unauthorized',
      message: expect.stringContaining('X_BEARER_TOKEN'),
    });
    const line = logs.find((l) => l.level === 'error' && String(l.msg).includes('credentials rejected'));
    expect(line?.msg).toMatch(/401 Unauthorized/);
    await waitFor(() => x.requests().filter((r) => r.status === 401).length === 2, 'second attempt');
    const failed = x.requests().filter((r) => r.status === 401);
    expect(failed[1].at - failed[0].at).toBeGreaterThanOrEqual(700);
    await waitFor(async () => (await metric('klaxon_social_errors_total')) === 2, 'error metric 2');

    x.setBearerToken('test-token'); // the operator fixed it on X's side
    await streaming(p);
    x.push({ id: '5001', text: '@KlaxonBank finally', authorId: 'u1' });
    await waitFor(() => events.length === 1, 'event after recovery');
  });

  it('re-sweeps the search after a catch-up for a post neither the stream nor the first search had', async () => {
    const p = pipeline({ options: { resweepDelayMs: 500 } });
    await streaming(p);
    x.push(
      { id: '8001', text: '@KlaxonBank indexed late, never on the stream', authorId: 'u1' },
      { stream: false },
    );
    const searchesBefore = x.requests().filter((r) => r.endpoint === 'search').length;
    await waitFor(() => events.length === 1, 'late post');
    await settled();
    // Found by a search after the catch-up (the re-sweep; on a busy machine possibly a reconnect's
    // catch-up): never on the stream, and one complaint.
    expect(received()).toEqual(['8001']);
    expect(x.requests().filter((r) => r.endpoint === 'search').length).toBeGreaterThan(searchesBefore);
    const rows = (await ds.query(`SELECT id FROM complaints WHERE source_id = 'x:8001'`)) as unknown[];
    expect(rows).toHaveLength(1);
  });

  it('polls the recent search when the tier has no filtered stream', async () => {
    x.setStreamAllowed(false);
    const p = pipeline();
    await waitFor(() => p.status().state === 'polling', 'polling');
    x.push({ id: '6001', text: '@KlaxonBank polled', authorId: 'u1' });
    await waitFor(() => events.length === 1, 'polled event');
    x.push({ id: '6002', text: 'klaxon bank polled too', authorId: 'u2' });
    await waitFor(() => events.length === 2, 'second polled event');
    await settled();
    expect(received()).toEqual(['6001', '6002']);
    expect(x.requests().filter((r) => r.endpoint === 'stream')).toHaveLength(1);
    expect(
      logs.some(
        (l) => l.msg === 'live feed not available on this account: polling the recent search instead',
      ),
    ).toBe(true);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(
  cond: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(25);
  }
}
