import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { complaintReceivedSchema, type ComplaintReceived } from '@klaxon/contracts';
import {
  comparePostIds,
  newestPostId,
  SourceError,
  toComplaintReceived,
  type SocialPost,
  type SocialSource,
} from '@klaxon/ingest-social/domain';
import { backoffDelay } from '@klaxon/platform/errors';
import type { Logger } from '@klaxon/platform/observability';
import { appendToOutbox, registerComplaints } from '@klaxon/platform/persistence';
import { conversationReplies, storeConversationReplies } from './conversation-replies';
import type { BackoffPolicy } from './social-ingest.options';
import { SocialCheckpoints } from './social-checkpoints';
import type { SocialMetrics, SourceState } from './social-metrics';
import { sleep } from './sleep';

export interface SocialPipelineOptions {
  /** Search polling interval when the live feed is not available on the account's tier. */
  pollIntervalMs: number;
  /** Backoff between reconnects after network errors or a dropped stream. */
  reconnect: BackoffPolicy;
  /** Wait before trying again after the credentials were rejected (no crash loop, no hammering). */
  authRetryMs: number;
  /**
   * The search indexes posts with a delay, so a post written just before the stream connected may
   * be in neither the stream nor the catch-up. This long after each catch-up, the same range is
   * searched once more (already handed-over posts are skipped). 0 turns it off. Default 30 s.
   */
  resweepDelayMs?: number;
}

export interface SocialPipelineDeps {
  dataSource: DataSource;
  logger: Logger;
  metrics: SocialMetrics;
  clock: { now(): Date };
}

export interface SourceStatus {
  network: string;
  state: SourceState;
  checkpoint?: string;
  lastError?: { kind: string; message: string; at: string };
}

interface LiveState {
  caughtUp: boolean;
  newestSeen?: string;
}

/**
 * Runs one social source: live feed when the network allows it, with a recent-search catch-up
 * after every (re)connect; search polling otherwise. Each post is registered as a complaint (row,
 * history and ComplaintReceived in the outbox) in the transaction that advances the checkpoint — so
 * a crash at any point neither loses a post (the catch-up starts at the checkpoint) nor repeats one
 * (posts whose complaint row exists are skipped).
 * Knows only the SocialSource port: another network is another adapter, not another pipeline.
 */
export class SocialIngestPipeline {
  private readonly logger: Logger;
  private readonly checkpoints: SocialCheckpoints;
  private readonly abort = new AbortController();
  private running: Promise<void> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private live: LiveState | null = null;
  private attempt = 0;
  private current: SourceStatus;

  constructor(
    private readonly source: SocialSource,
    private readonly deps: SocialPipelineDeps,
    private readonly options: SocialPipelineOptions,
  ) {
    this.logger = deps.logger.child({ component: 'social-ingest', network: source.network });
    this.checkpoints = new SocialCheckpoints(deps.dataSource);
    this.current = { network: source.network, state: 'starting' };
    deps.metrics.setState(source.network, 'starting');
  }

  status(): SourceStatus {
    return { ...this.current };
  }

  start(): void {
    this.running ??= this.run().catch((err: unknown) =>
      this.logger.fatal({ err }, 'social ingest loop ended unexpectedly'),
    );
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    await this.queue.catch(() => undefined);
    this.setState('stopped');
  }

  private setState(state: SourceState): void {
    if (this.current.state !== state) this.logger.debug({ state }, 'social source state');
    this.current.state = state;
    this.deps.metrics.setState(this.source.network, state);
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let liveAllowed = true;
    while (!signal.aborted) {
      try {
        if (liveAllowed) {
          this.setState('connecting');
          await this.source.syncFilters();
          await this.runLive(signal);
        } else {
          this.setState('polling');
          await this.catchUp(signal);
          this.attempt = 0;
          await sleep(this.options.pollIntervalMs, signal);
        }
      } catch (e) {
        if (signal.aborted) break;
        const err =
          e instanceof SourceError
            ? e
            : new SourceError('transient', (e as Error)?.message ?? String(e), undefined, { cause: e });
        this.current.lastError = {
          kind: err.kind,
          message: err.message,
          at: this.deps.clock.now().toISOString(),
        };
        this.deps.metrics.errors.inc({ channel: 'social', network: this.source.network, kind: err.kind });
        switch (err.kind) {
          case 'live-not-allowed':
            liveAllowed = false;
            this.logger.warn(
              { pollIntervalMs: this.options.pollIntervalMs, reason: err.message },
              'live feed not available on this account: polling the recent search instead',
            );
            break;
          case 'unauthorized':
            this.setState('unauthorized');
            this.logger.error(
              { reason: err.message, retryInMs: this.options.authRetryMs },
              `${this.source.network} credentials rejected: ${err.message}`,
            );
            await sleep(this.options.authRetryMs, signal);
            break;
          case 'rate-limited': {
            this.setState('rate-limited');
            const waitMs = Math.max(
              1_000,
              (err.retryAt?.getTime() ?? Date.now() + 60_000) - Date.now() + 250,
            );
            this.deps.metrics.rateLimitWaits.inc({
              channel: 'social',
              network: this.source.network,
              endpoint: 'live',
            });
            this.logger.warn(
              { waitMs, resetAt: err.retryAt?.toISOString() },
              'rate limited: waiting for the reset',
            );
            await sleep(waitMs, signal);
            break;
          }
          default: {
            this.attempt += 1;
            this.setState('reconnecting');
            const waitMs = backoffDelay(this.attempt, {
              base: this.options.reconnect.initialMs,
              cap: this.options.reconnect.maxMs,
            });
            this.logger.warn(
              { err: { message: err.message }, attempt: this.attempt, waitMs },
              'social source interrupted: reconnecting with backoff',
            );
            await sleep(waitMs, signal);
          }
        }
      }
    }
  }

  /** Live feed first (so nothing slips between), then the catch-up from the checkpoint; then stream until closed. */
  private async runLive(signal: AbortSignal): Promise<void> {
    let closedWith: (reason: SourceError) => void = () => undefined;
    const closed = new Promise<SourceError>((resolve) => (closedWith = resolve));
    const live: LiveState = { caughtUp: false };
    this.live = live;
    const feed = await this.source.openLive({
      onPost: (post) => this.onLivePost(live, post),
      onClosed: (reason) => closedWith(reason),
    });
    const local = new AbortController();
    const stopLocal = () => local.abort();
    signal.addEventListener('abort', stopLocal, { once: true });
    let resweep: Promise<void> = Promise.resolve();
    try {
      this.setState('catching-up');
      const since = await this.catchUp(signal, live);
      this.setState('streaming');
      this.attempt = 0;
      const delay = this.options.resweepDelayMs ?? 30_000;
      if (delay > 0) resweep = sleep(delay, local.signal).then(() => this.resweep(since, local.signal));
      const aborted = new Promise<null>((resolve) =>
        local.signal.addEventListener('abort', () => resolve(null), { once: true }),
      );
      const reason = await Promise.race([closed, aborted]);
      if (reason) throw reason;
    } finally {
      local.abort();
      signal.removeEventListener('abort', stopLocal);
      feed.close();
      await resweep;
      this.live = null;
    }
  }

  /** Searches the range of the last catch-up again, for posts the search had not indexed yet. */
  private async resweep(since: string | undefined, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    try {
      let found = 0;
      for await (const page of this.source.backfill(since, signal))
        found += await this.ingest(page, () => undefined);
      if (found)
        this.logger.info(
          { since: since ?? null, found },
          'late-indexed posts found by the re-sweep of the search',
        );
    } catch (err) {
      this.deps.metrics.errors.inc({ channel: 'social', network: this.source.network, kind: 'resweep' });
      this.logger.warn(
        { err: { message: (err as Error).message } },
        're-sweep of the search failed; the next catch-up covers the range',
      );
    }
  }

  private async onLivePost(live: LiveState, post: SocialPost): Promise<void> {
    // Until the catch-up finished, the checkpoint must not jump over the gap it is filling.
    await this.ingest([post], (newest) => {
      live.newestSeen = newestPostId([live.newestSeen, newest]);
      return live.caughtUp ? newest : undefined;
    });
  }

  /** Everything after the checkpoint, from the search; then the checkpoint moves to the newest post handed over. */
  private async catchUp(signal: AbortSignal, live?: LiveState): Promise<string | undefined> {
    const since = await this.checkpoints.get(this.source.network, this.source.sourceKey);
    this.current.checkpoint = since;
    let newest = since;
    let pages = 0;
    for await (const page of this.source.backfill(since, signal)) {
      await this.ingest(page, () => undefined);
      newest = newestPostId([newest, ...page.map((p) => p.postId)]);
      pages += 1;
    }
    if (signal.aborted) return since;
    await this.exclusive(async () => {
      const target = newestPostId([newest, live?.newestSeen]);
      if (target && (!since || comparePostIds(target, since) > 0)) {
        await this.deps.dataSource.transaction((m) =>
          this.checkpoints.advance(m, this.source.network, this.source.sourceKey, target),
        );
        this.current.checkpoint = target;
      }
      if (live) live.caughtUp = true;
    });
    if (pages)
      this.logger.info(
        { since: since ?? null, checkpoint: this.current.checkpoint, pages },
        'caught up from the recent search',
      );
    return since;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Hands posts over: skips the ones already handed over, registers the rest (complaint rows, history,
   * ComplaintReceived in the outbox) and (if `advanceTo` says so) the checkpoint in one transaction. Serialised, so checkpoints only move forward in order.
   */
  private ingest(
    posts: SocialPost[],
    advanceTo: (newestInBatch: string | undefined) => string | undefined,
  ): Promise<number> {
    return this.exclusive(async () => {
      const network = this.source.network;
      const labels = { channel: 'social', network };
      const now = this.deps.clock.now();
      // The customer's replies in the conversation of a complaint are answers on it, not complaints.
      const replies = await conversationReplies(this.deps.dataSource, posts, now);
      const answered = new Set(replies.map((r) => r.post.postId));
      const unique = [
        ...new Map(posts.filter((p) => !answered.has(p.postId)).map((p) => [p.postId, p])).values(),
      ];
      const mapped: Array<{
        post: SocialPost;
        received: ComplaintReceived;
        correlationId: string;
      }> = [];
      for (const post of unique) {
        try {
          const received = toComplaintReceived(post, now);
          const correlationId = randomUUID();
          complaintReceivedSchema.parse(received);
          mapped.push({ post, received, correlationId });
        } catch (err) {
          this.deps.metrics.errors.inc({ ...labels, kind: 'invalid-post' });
          this.logger.error(
            { postId: post.postId, err: { message: (err as Error).message } },
            'post cannot become a ComplaintReceived: skipped',
          );
        }
      }
      const ids = mapped.map((m) => m.received.complaintId);
      const existing = new Set(
        ids.length
          ? (
              (await this.deps.dataSource.query('SELECT id FROM complaints WHERE id = ANY($1::text[])', [
                ids,
              ])) as Array<{ id: string }>
            ).map((r) => r.id)
          : [],
      );
      const fresh = mapped.filter((m) => !existing.has(m.received.complaintId));
      const duplicates = posts.length - answered.size - unique.length + (mapped.length - fresh.length);
      if (duplicates) this.deps.metrics.duplicates.inc(labels, duplicates);

      const checkpoint = advanceTo(newestPostId(posts.map((p) => p.postId)));
      if (fresh.length || replies.length || checkpoint) {
        // One transaction: the complaints, their first history entries and ComplaintReceived events in
        // the outbox (the one registration path of every channel); the customer's replies on complaints
        // into their threads, with CustomerMessageReceived in the outbox; then the checkpoint.
        await this.deps.dataSource.transaction(async (manager) => {
          await storeConversationReplies(manager, replies);
          if (replies.length)
            await appendToOutbox(
              manager,
              replies.map((r) => r.event),
            );
          await registerComplaints(
            manager,
            fresh.map(({ received: r, post, correlationId }) => ({
              received: r,
              correlationId,
              actor: `social-ingest:${network}`,
              reason: `${post.kind} by @${post.author.handle} on ${network}`,
              data: { url: post.url, followers: post.author.followers },
            })),
          );
          if (checkpoint) await this.checkpoints.advance(manager, network, this.source.sourceKey, checkpoint);
        });
        if (checkpoint) this.current.checkpoint = newestPostId([this.current.checkpoint, checkpoint]);
      }
      if (fresh.length) this.deps.metrics.received.inc(labels, fresh.length);
      for (const m of fresh) {
        this.logger.info(
          {
            complaintId: m.received.complaintId,
            correlationId: m.correlationId,
            postId: m.post.postId,
            kind: m.post.kind,
            followers: m.post.author.followers,
          },
          'social post received',
        );
      }
      return fresh.length;
    });
  }
}
