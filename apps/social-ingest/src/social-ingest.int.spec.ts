import { Client } from 'pg';
import { ComplaintReceivedEvent, type ComplaintReceived } from '@klaxon/contracts';
import {
  startAppProcess,
  startFakeXApi,
  startKafkaMockCluster,
  startPostgresCluster,
  type AppProcess,
  type FakeXApi,
  type KafkaMockCluster,
  type PostgresCluster,
  readEvents,
  type EventReader,
} from '@klaxon/testing';

// The social-ingest app as its own process: real Kafka protocol (mock cluster), real PostgreSQL,
// the real twitter-api-v2 client talking HTTPS to a local X API trusted through NODE_EXTRA_CA_CERTS.
describe('social-ingest app on Kafka', () => {
  let kafka: KafkaMockCluster;
  let pg: PostgresCluster;
  let x: FakeXApi;
  let databaseUrl: string;
  let reader: EventReader<ComplaintReceived>;
  const seen = () => reader.events.map((e) => ({ postId: e.data.social!.postId, eventId: e.eventId }));
  let app: AppProcess | undefined;

  const env = () => ({
    ...kafka.appEnv,
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: '3',
    X_BEARER_TOKEN: x.bearerToken,
    X_QUERY: '@KlaxonBank, klaxon bank',
    X_API_BASE_URL: x.baseUrl,
    X_RECONNECT_INITIAL_MS: '100',
    X_RECONNECT_MAX_MS: '500',
    NODE_EXTRA_CA_CERTS: x.caFile,
  });

  beforeAll(async () => {
    [kafka, pg, x] = await Promise.all([
      startKafkaMockCluster({ brokers: 1 }),
      startPostgresCluster(),
      startFakeXApi({ keepAliveMs: 100 }),
    ]);
    databaseUrl = await pg.createDatabase('social_app');
    x.addUser({ id: 'u1', username: 'AnnaDV', name: 'Anna de Vries', followers: 15_300 });
    reader = await readEvents(kafka.brokers, ComplaintReceivedEvent, 'social-test');
  }, 90_000);

  afterAll(async () => {
    await app?.stop();
    await reader?.stop();
    await Promise.all([kafka?.stop(), pg?.stop(), x?.stop()]);
  });

  it('refuses to start without X_QUERY, naming the variable', async () => {
    const { X_QUERY: _unused, ...rest } = env();
    await expect(startAppProcess('social-ingest', rest, 30_000)).rejects.toThrow(/X_QUERY/);
  });

  it('backfills, streams, survives a kill, and delivers every post to Kafka exactly once', async () => {
    for (const id of ['7001', '7002', '7003'])
      x.push({ id, text: `@KlaxonBank earlier post ${id}`, authorId: 'u1' });
    app = await startAppProcess('social-ingest', env());
    await x.waitForStreams(1, 30_000);
    await waitFor(async () => (await social(app!)).sources[0]?.state === 'streaming', 'streaming');
    x.push({ id: '7004', text: '@KlaxonBank live one', authorId: 'u1' });
    x.push({
      id: '7005',
      text: 'klaxon bank live two',
      authorId: 'u1',
      referencedTweets: [{ type: 'replied_to', id: '7004' }],
    });
    await waitFor(() => seen().length >= 5, 'five events on Kafka', 45_000);
    await waitFor(async () => (await checkpoint()) === '7005', 'checkpoint 7005');
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/klaxon_social_posts_received_total\{[^}]*network="x"[^}]*\} 5/);

    await app.kill(); // crash
    x.push({ id: '7006', text: '@KlaxonBank while the app was down', authorId: 'u1' });
    app = await startAppProcess('social-ingest', env());
    await waitFor(async () => (await social(app!)).sources[0]?.state === 'streaming', 'streaming again');
    x.push({ id: '7007', text: '@KlaxonBank after the restart', authorId: 'u1' });
    await waitFor(() => seen().length >= 7, 'seven events', 45_000);
    await new Promise((r) => setTimeout(r, 1_000));

    expect(
      seen()
        .map((s) => s.postId)
        .sort(),
    ).toEqual(['7001', '7002', '7003', '7004', '7005', '7006', '7007']);
    expect(new Set(seen().map((s) => s.eventId)).size).toBe(7);
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const rows = await db.query(`SELECT count(*)::int AS n FROM complaints WHERE channel = 'social'`);
      expect(rows.rows[0].n).toBe(7);
    } finally {
      await db.end();
    }
    expect(await checkpoint()).toBe('7007');

    // the token is revoked on X's side: a clear error, readiness of the source fails, the process stays up
    x.setBearerToken('rotated-token');
    x.dropStreams();
    await waitFor(async () => (await fetch(`${app!.url}/health/social`)).status === 503, 'health/social 503');
    const health = await social(app);
    expect(health.sources[0]).toMatchObject({ state: 'unauthorized', lastError: { kind: 'unauthorized' } });
    expect(app.output()).toMatch(/credentials rejected: X rejected the bearer token \(401 Unauthorized/);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(app.child.exitCode).toBeNull();
    expect(x.requests().filter((r) => r.status === 401)).toHaveLength(1);
  });

  async function social(a: AppProcess): Promise<{ sources: Array<{ state: string; lastError?: unknown }> }> {
    return (await fetch(`${a.url}/health/social`)).json() as Promise<{
      sources: Array<{ state: string; lastError?: unknown }>;
    }>;
  }

  async function checkpoint(): Promise<string | undefined> {
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      return (await db.query(`SELECT newest_post_id FROM social_checkpoints WHERE network = 'x'`)).rows[0]
        ?.newest_post_id;
    } finally {
      await db.end();
    }
  }
});

async function waitFor(
  cond: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (
    !(await Promise.resolve()
      .then(cond)
      .catch(() => false))
  ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
