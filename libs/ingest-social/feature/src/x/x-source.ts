import {
  ApiPartialResponseError,
  ApiRequestError,
  ApiResponseError,
  ETwitterStreamEvent,
  type TweetV2,
  type TwitterApi,
  type TwitterRateLimit,
  type UserV2,
} from 'twitter-api-v2';
import {
  comparePostIds,
  diffStreamRules,
  SourceError,
  xSearchQuery,
  xStreamRules,
  type LiveFeed,
  type LiveHandlers,
  type SocialPost,
  type SocialQuery,
  type SocialSource,
} from '@klaxon/ingest-social/domain';
import type { Logger } from '@klaxon/platform/observability';
import { createXClient } from './x-client';
import { sleep } from '../sleep';

export interface XSourceOptions {
  bearerToken: string;
  baseUrl?: string;
  ca?: string;
  query: SocialQuery;
  /** Posts per search page (X: 10..100). */
  pageSize?: number;
  /** No byte (not even a keep-alive) for this long: the stream is considered lost. X sends keep-alives every 20 s. */
  keepAliveTimeoutMs?: number;
  /** Longest single wait for a rate-limit reset (a bad clock or header must not park the source for hours). */
  maxRateLimitWaitMs?: number;
  logger: Logger;
  /** Told about every wait for a rate-limit reset (metrics). */
  onRateLimitWait?: (endpoint: string, waitMs: number) => void;
}

const TWEET_FIELDS = ['conversation_id', 'lang', 'created_at', 'referenced_tweets', 'author_id'] as const;
const USER_FIELDS = ['public_metrics', 'protected', 'username', 'name'] as const;
const EXPANSIONS = ['author_id'] as const;

const SEARCH = '/2/tweets/search/recent';
const STREAM = '/2/tweets/search/stream';
const RULES = '/2/tweets/search/stream/rules';

/** The X (Twitter) API v2 behind the SocialSource port: filtered stream + recent search, on twitter-api-v2. */
export class XSource implements SocialSource {
  readonly network = 'x';
  private readonly client: TwitterApi;
  private readonly limits = new Map<string, TwitterRateLimit>();
  private readonly searchQuery: string;
  private readonly logger: Logger;

  constructor(private readonly options: XSourceOptions) {
    this.logger = options.logger.child({ component: 'x-source' });
    this.searchQuery = xSearchQuery(options.query);
    this.client = createXClient({
      bearerToken: options.bearerToken,
      baseUrl: options.baseUrl,
      ca: options.ca,
      onRateLimit: (endpoint, limit) => this.limits.set(endpoint, limit),
    });
  }

  /** Identifies what the checkpoint belongs to: another query is another checkpoint. */
  get sourceKey(): string {
    return this.searchQuery;
  }

  async syncFilters(): Promise<void> {
    const current = await this.call(RULES, () => this.client.v2.streamRules());
    const { add, deleteIds } = diffStreamRules(current.data ?? [], xStreamRules(this.options.query));
    if (deleteIds.length)
      await this.call(RULES, () => this.client.v2.updateStreamRules({ delete: { ids: deleteIds } }));
    if (add.length) {
      const result = await this.call(RULES, () => this.client.v2.updateStreamRules({ add }));
      const rejected = (result.errors ?? []).filter(
        (e) => (e as { title?: string }).title !== 'DuplicateRule',
      );
      if (rejected.length) {
        throw new SourceError(
          'unauthorized',
          `X refused stream rules: ${JSON.stringify(rejected).slice(0, 500)}`,
        );
      }
    }
    if (add.length || deleteIds.length)
      this.logger.info(
        { added: add.map((r) => r.value), deleted: deleteIds },
        'X stream rules synced with configuration',
      );
  }

  async *backfill(sinceId: string | undefined, signal: AbortSignal): AsyncIterable<SocialPost[]> {
    let nextToken: string | undefined;
    do {
      const search = () =>
        this.call(
          SEARCH,
          () =>
            this.client.v2.search(this.searchQuery, {
              max_results: this.options.pageSize ?? 100,
              ...(sinceId ? { since_id: sinceId } : {}),
              ...(nextToken ? { next_token: nextToken } : {}),
              expansions: [...EXPANSIONS],
              'tweet.fields': [...TWEET_FIELDS],
              'user.fields': [...USER_FIELDS],
            }),
          signal,
        );
      let page: Awaited<ReturnType<typeof search>>;
      try {
        page = await search();
      } catch (err) {
        // A checkpoint older than the recent-search window (7 days) is refused with 400: take the whole window.
        const cause = (err as SourceError).cause;
        if (!(sinceId && !nextToken && cause instanceof ApiResponseError && cause.code === 400)) throw err;
        this.logger.warn(
          { sinceId, detail: JSON.stringify(cause.data).slice(0, 300) },
          'checkpoint is older than the recent-search window: catching up on the whole window; older posts are out of reach',
        );
        sinceId = undefined;
        page = await search();
      }
      const users = page.includes.users ?? [];
      const posts = page.tweets
        .map((t) => this.toPost(t, users))
        .sort((a, b) => comparePostIds(a.postId, b.postId));
      if (posts.length) yield posts;
      nextToken = page.meta.next_token;
    } while (nextToken && !signal.aborted);
  }

  async openLive(handlers: LiveHandlers): Promise<LiveFeed> {
    await this.respectLimit(STREAM);
    const stream = this.client.v2.searchStream({
      autoConnect: false,
      expansions: [...EXPANSIONS],
      'tweet.fields': [...TWEET_FIELDS],
      'user.fields': [...USER_FIELDS],
    });
    let closed = false;
    let chain: Promise<void> = Promise.resolve();
    const finish = (reason: SourceError) => {
      if (closed) return;
      closed = true;
      stream.close();
      handlers.onClosed(reason);
    };
    stream.on(ETwitterStreamEvent.Data, (payload: { data: TweetV2; includes?: { users?: UserV2[] } }) => {
      if (closed) return;
      const post = this.toPost(payload.data, payload.includes?.users ?? []);
      chain = chain
        .then(() => (closed ? undefined : handlers.onPost(post)))
        .catch((err: unknown) =>
          finish(
            new SourceError(
              'transient',
              `handling post ${post.postId} failed: ${(err as Error).message}`,
              undefined,
              { cause: err },
            ),
          ),
        );
    });
    stream.on(ETwitterStreamEvent.DataError, (payload: unknown) => {
      this.logger.warn({ payload }, 'X stream sent an error payload');
    });
    stream.on(ETwitterStreamEvent.TweetParseError, (err: unknown) => {
      this.logger.error(
        { err },
        'X stream sent data that is not JSON; the search backfill covers it after reconnecting',
      );
      finish(new SourceError('transient', 'unparseable stream data'));
    });
    stream.on(ETwitterStreamEvent.ConnectionLost, () =>
      finish(new SourceError('transient', 'X stream went silent (no keep-alive)')),
    );
    stream.on(ETwitterStreamEvent.ConnectionError, (err: Error) =>
      finish(
        new SourceError('transient', `X stream connection error: ${err?.message}`, undefined, { cause: err }),
      ),
    );
    stream.on(ETwitterStreamEvent.ConnectionClosed, () =>
      finish(new SourceError('transient', 'X stream closed')),
    );
    try {
      await stream.connect({
        autoReconnect: false,
        keepAliveTimeout: this.options.keepAliveTimeoutMs ?? 60_000,
      });
    } catch (err) {
      closed = true;
      stream.removeAllListeners();
      throw this.toSourceError(err, STREAM);
    }
    return {
      close: () => {
        if (!closed) {
          closed = true;
          stream.destroy();
        }
      },
    };
  }

  private toPost(t: TweetV2, users: UserV2[]): SocialPost {
    const user = users.find((u) => u.id === t.author_id);
    if (!user)
      this.logger.warn(
        { postId: t.id, authorId: t.author_id },
        'X did not include the author of a post; handle and reach unknown',
      );
    const ref = t.referenced_tweets ?? [];
    const kind = ref.some((r) => r.type === 'retweeted')
      ? 'repost'
      : ref.some((r) => r.type === 'quoted')
        ? 'quote'
        : ref.some((r) => r.type === 'replied_to')
          ? 'reply'
          : 'post';
    const handle = user?.username ?? t.author_id ?? 'unknown';
    return {
      network: 'x',
      postId: t.id,
      text: t.text ?? '',
      createdAt: t.created_at,
      conversationId: t.conversation_id,
      lang: t.lang,
      kind,
      author: {
        id: t.author_id ?? user?.id ?? 'unknown',
        handle,
        name: user?.name,
        followers: user?.public_metrics?.followers_count ?? 0,
        isPublic: !(user?.protected ?? false),
      },
      url: `https://x.com/${user?.username ?? 'i/web'}/status/${t.id}`,
    };
  }

  /** One API call: waits first when the last response said the window is used up; a 429 waits for the reset and retries. */
  private async call<T>(endpoint: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (;;) {
      await this.respectLimit(endpoint, signal);
      try {
        return await fn();
      } catch (err) {
        const error = this.toSourceError(err, endpoint);
        if (error.kind !== 'rate-limited') throw error;
        await this.waitUntil(endpoint, error.retryAt, signal);
      }
    }
  }

  private async respectLimit(endpoint: string, signal?: AbortSignal): Promise<void> {
    const limit = this.limits.get(endpoint);
    if (limit && limit.remaining <= 0 && limit.reset * 1000 > Date.now()) {
      await this.waitUntil(endpoint, new Date(limit.reset * 1000), signal);
    }
  }

  private async waitUntil(endpoint: string, until: Date | undefined, signal?: AbortSignal): Promise<void> {
    const max = this.options.maxRateLimitWaitMs ?? 15 * 60_000;
    const waitMs = Math.min(max, Math.max(250, (until?.getTime() ?? Date.now() + 60_000) - Date.now() + 250));
    this.logger.warn(
      { endpoint, waitMs, resetAt: until?.toISOString() },
      'X rate limit reached: waiting for the reset',
    );
    this.options.onRateLimitWait?.(endpoint, waitMs);
    this.limits.delete(endpoint);
    await sleep(waitMs, signal);
    if (signal?.aborted) throw new SourceError('transient', 'stopped');
  }

  private toSourceError(err: unknown, endpoint: string): SourceError {
    if (err instanceof SourceError) return err;
    if (err instanceof ApiResponseError) {
      const status = err.code;
      if (status === 429 || err.rateLimitError) {
        const reset = err.rateLimit?.reset;
        return new SourceError(
          'rate-limited',
          `X answered 429 on ${endpoint}`,
          reset ? new Date(reset * 1000) : undefined,
          { cause: err },
        );
      }
      if (status === 401) {
        return new SourceError(
          'unauthorized',
          `X rejected the bearer token (401 Unauthorized on ${endpoint}): check X_BEARER_TOKEN`,
          undefined,
          { cause: err },
        );
      }
      if (status === 403) {
        const data = err.data as { reason?: string; detail?: string; title?: string };
        if (endpoint === STREAM) {
          return new SourceError(
            'live-not-allowed',
            `X does not allow the filtered stream for this account (${data.reason ?? data.title ?? '403'}): polling recent search instead`,
            undefined,
            { cause: err },
          );
        }
        return new SourceError(
          'unauthorized',
          `X refused ${endpoint} (403 ${data.reason ?? data.title ?? ''}): ${data.detail ?? ''}`.trim(),
          undefined,
          { cause: err },
        );
      }
      return new SourceError('transient', `X answered ${status} on ${endpoint}`, undefined, { cause: err });
    }
    if (err instanceof ApiRequestError || err instanceof ApiPartialResponseError) {
      return new SourceError('transient', `request to X failed (${endpoint}): ${err.message}`, undefined, {
        cause: err,
      });
    }
    return new SourceError(
      'transient',
      `request to X failed (${endpoint}): ${(err as Error)?.message ?? String(err)}`,
      undefined,
      { cause: err },
    );
  }
}
