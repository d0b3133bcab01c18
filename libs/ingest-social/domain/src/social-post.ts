/** One public post from a social network, already normalised by its source adapter. */
export interface SocialPost {
  /** Network name, e.g. `x`; part of the source id so two networks never collide. */
  network: string;
  postId: string;
  text: string;
  /** ISO 8601 with offset; undefined when the network did not say. */
  createdAt?: string;
  conversationId?: string;
  /** The network's language code (`nl`, `en`, `und` …). */
  lang?: string;
  /** Replies and quotes are mentions too; the classifier decides what is a complaint. */
  kind: 'post' | 'reply' | 'quote' | 'repost';
  author: SocialAuthor;
  url: string;
}

export interface SocialAuthor {
  id: string;
  /** The handle without `@`, as the network spells it. */
  handle: string;
  name?: string;
  followers: number;
  /** Protected/private accounts: their posts are not public. */
  isPublic: boolean;
}

/** The adapter of one network. The pipeline knows only this, so adding a network touches no pipeline code. */
export interface SocialSource {
  readonly network: string;
  /** What the checkpoint belongs to (e.g. the query): another query keeps its own checkpoint. */
  readonly sourceKey: string;
  /** Makes the network's server-side filters (e.g. X stream rules) match the configuration. */
  syncFilters(): Promise<void>;
  /**
   * Every matching post newer than `sinceId` (undefined: as far back as the network allows), in
   * pages as they arrive; each page is sorted oldest first.
   */
  backfill(sinceId: string | undefined, signal: AbortSignal): AsyncIterable<SocialPost[]>;
  /**
   * Opens the live feed. Resolves once connected; rejects when it cannot connect (`SourceError`).
   * `onPost` is awaited per post; `onClosed` is called once when the connection ends for any reason.
   */
  openLive(handlers: LiveHandlers): Promise<LiveFeed>;
}

export interface LiveHandlers {
  onPost(post: SocialPost): Promise<void>;
  onClosed(reason: SourceError): void;
}

export interface LiveFeed {
  close(): void;
}

/** Why a source call failed, in terms the pipeline can act on. */
export type SourceErrorKind =
  /** Wait until `retryAt`, then try again. */
  | 'rate-limited'
  /** Credentials rejected: log clearly, report not-ready, retry slowly. */
  | 'unauthorized'
  /** The account's tier does not include the live feed: poll the search instead. */
  | 'live-not-allowed'
  /** Network error, 5xx, dropped connection: reconnect with backoff. */
  | 'transient';

export class SourceError extends Error {
  constructor(
    readonly kind: SourceErrorKind,
    message: string,
    readonly retryAt?: Date,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SourceError';
  }
}
