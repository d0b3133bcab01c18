import { parseSocialQuery, SourceError, type SocialPost } from '@klaxon/ingest-social/domain';
import { silentLogger } from '@klaxon/platform/observability';
import { startFakeXApi, type FakeXApi } from '@klaxon/testing';
import { XSource } from './x-source';

// The real twitter-api-v2 client against a local HTTPS server that answers like the X API v2.
describe('XSource (twitter-api-v2 against a local X API)', () => {
  let x: FakeXApi;
  const query = parseSocialQuery('@KlaxonBank, klaxon bank');
  const source = (over: Partial<ConstructorParameters<typeof XSource>[0]> = {}) =>
    new XSource({
      bearerToken: x.bearerToken,
      baseUrl: x.baseUrl,
      ca: x.ca,
      query,
      pageSize: 10,
      logger: silentLogger,
      ...over,
    });

  beforeEach(async () => {
    x = await startFakeXApi({ keepAliveMs: 50 });
    x.addUser({ id: 'u1', username: 'AnnaDV', name: 'Anna', followers: 1200 });
  });
  afterEach(() => x.stop());

  async function collect(it: AsyncIterable<SocialPost[]>): Promise<SocialPost[][]> {
    const pages: SocialPost[][] = [];
    for await (const p of it) pages.push(p);
    return pages;
  }

  it('keeps the stream rules equal to the configuration and leaves foreign rules alone', async () => {
    await source().syncFilters();
    expect(
      x
        .rules()
        .map((r) => r.value)
        .sort(),
    ).toEqual(['"klaxon bank" -is:retweet', '@KlaxonBank -is:retweet']);
    await source({ query: parseSocialQuery('@KlaxonBank, #klaxonfail') }).syncFilters();
    expect(
      x
        .rules()
        .map((r) => r.value)
        .sort(),
    ).toEqual(['#klaxonfail -is:retweet', '@KlaxonBank -is:retweet']);
  });

  it('pages through the recent search since a post id, with authors and reach', async () => {
    for (let i = 1; i <= 25; i++)
      x.push({ id: String(1000 + i), text: `@KlaxonBank post ${i}`, authorId: 'u1', lang: 'nl' });
    x.push({ id: '2000', text: 'unrelated', authorId: 'u1' });
    const pages = await collect(source().backfill('1003', new AbortController().signal));
    expect(pages.map((p) => p.length)).toEqual([10, 10, 2]);
    const ids = pages.flat().map((p) => p.postId);
    expect(new Set(ids).size).toBe(22);
    expect(ids).not.toContain('1003');
    expect(pages[0][0]).toMatchObject({
      author: { handle: 'AnnaDV', followers: 1200, isPublic: true },
      lang: 'nl',
      url: expect.stringContaining('/AnnaDV/status/'),
    });
    expect(
      x
        .requests()
        .filter((r) => r.endpoint === 'search')
        .map((r) => Boolean(r.query.next_token)),
    ).toEqual([false, true, true]);
  });

  it('takes the whole search window when the checkpoint is older than it (X answers 400)', async () => {
    for (let i = 1; i <= 3; i++)
      x.push({ id: String(1000 + i), text: `@KlaxonBank post ${i}`, authorId: 'u1' });
    x.failNext({ endpoint: 'search', status: 400 });
    const pages = await collect(source().backfill('17', new AbortController().signal));
    expect(pages.flat().map((p) => p.postId)).toEqual(['1001', '1002', '1003']);
    expect(x.requests().map((r) => [r.status, r.query.since_id])).toEqual([
      [400, '17'],
      [200, undefined],
    ]);
  });

  it('waits for the rate-limit reset after a 429 and then continues', async () => {
    x.push({ id: '1001', text: '@KlaxonBank hello', authorId: 'u1' });
    x.failNext({ endpoint: 'search', status: 429, resetInSeconds: 1 });
    const waits: number[] = [];
    const pages = await collect(
      source({ onRateLimitWait: (_e, ms) => waits.push(ms) }).backfill(
        undefined,
        new AbortController().signal,
      ),
    );
    expect(pages.flat().map((p) => p.postId)).toEqual(['1001']);
    const searches = x.requests().filter((r) => r.endpoint === 'search');
    expect(searches.map((r) => r.status)).toEqual([429, 200]);
    expect(waits).toHaveLength(1);
    // the retry came after the announced reset (epoch seconds), not before
    expect(searches[1].at).toBeGreaterThanOrEqual(Math.floor(searches[0].at / 1000) * 1000 + 1000);
  });

  it('reads x-rate-limit-remaining and waits for the reset before the next request instead of running into a 429', async () => {
    await x.stop();
    x = await startFakeXApi({ searchRateLimit: 2, rateLimitWindowSeconds: 1 });
    x.addUser({ id: 'u1', username: 'AnnaDV', name: 'Anna', followers: 1 });
    for (let i = 1; i <= 25; i++)
      x.push({ id: String(1000 + i), text: `@KlaxonBank post ${i}`, authorId: 'u1' });
    const waits: string[] = [];
    const pages = await collect(
      source({ onRateLimitWait: (e) => waits.push(e) }).backfill(undefined, new AbortController().signal),
    );
    expect(pages.flat()).toHaveLength(25);
    const searches = x.requests().filter((r) => r.endpoint === 'search');
    expect(searches.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(waits).toEqual(['/2/tweets/search/recent']);
  });

  it('maps 401 and a tier without the stream to errors the pipeline acts on', async () => {
    await expect(source({ bearerToken: 'wrong' }).syncFilters()).rejects.toMatchObject({
      kind: 'unauthorized',
      message: expect.stringContaining('X_BEARER_TOKEN'),
    });
    x.setStreamAllowed(false);
    const err = await source()
      .openLive({ onPost: async () => undefined, onClosed: () => undefined })
      .catch((e: SourceError) => e);
    expect(err).toMatchObject({ kind: 'live-not-allowed' });
  });

  it('delivers stream posts between keep-alives and reports a dropped connection', async () => {
    await source().syncFilters();
    const got: SocialPost[] = [];
    let closed: SourceError | undefined;
    const feed = await source().openLive({
      onPost: async (p) => void got.push(p),
      onClosed: (r) => (closed = r),
    });
    await x.waitForStreams(1);
    await new Promise((r) => setTimeout(r, 150)); // a few keep-alives
    x.push({
      id: '5001',
      text: 'Waarom werkt de app van klaxon bank weer niet?',
      authorId: 'u1',
      referencedTweets: [{ type: 'quoted', id: '4000' }],
    });
    x.push({ id: '5002', text: 'no match here', authorId: 'u1' });
    await waitFor(() => got.length === 1);
    expect(got[0]).toMatchObject({ postId: '5001', kind: 'quote', author: { handle: 'AnnaDV' } });
    x.dropStreams();
    await waitFor(() => closed !== undefined);
    expect(closed?.kind).toBe('transient');
    feed.close();
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
