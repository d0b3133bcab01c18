import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSelfSignedCertificate } from './self-signed-certificate';

/**
 * A local HTTPS server that answers like the X API v2 endpoints Klaxon uses, for tests with the
 * real twitter-api-v2 client: recent search (since_id, next_token pages, author expansion), stream
 * rules, the filtered stream (newline-delimited JSON with `\r\n` keep-alives), rate-limit headers,
 * and scripted failures (429 with reset, 401, 403 not-on-tier, a dropped stream). With a user's
 * token (OAuth 2.0 user context, or any OAuth 1.0a signature) it takes posts (`POST /2/tweets`, a
 * reply with `reply.in_reply_to_tweet_id`, 280 characters at most) and direct messages
 * (`POST /2/dm_conversations/with/:id/messages`), and keeps them for the test to read.
 */

export interface FakeXUser {
  id: string;
  username: string;
  name: string;
  followers: number;
  protected?: boolean;
}

export interface FakeXPost {
  id: string;
  text: string;
  authorId: string;
  createdAt?: string;
  conversationId?: string;
  lang?: string;
  referencedTweets?: Array<{ type: 'replied_to' | 'quoted' | 'retweeted'; id: string }>;
}

export type FakeXEndpoint = 'search' | 'stream' | 'rules' | 'tweets' | 'dm';

/** A post or direct message the app sent. */
export interface FakeXSent {
  id: string;
  kind: 'post' | 'dm';
  text: string;
  /** For a reply: the post it answers. */
  inReplyTo?: string;
  /** For a DM: the user it went to. */
  participantId?: string;
  /** `bearer` (OAuth 2.0 user context) or `oauth1`. */
  auth: 'bearer' | 'oauth1';
  at: number;
}

export interface FakeXFailure {
  endpoint: FakeXEndpoint;
  /** 400 answers as X does for a since_id older than the 7-day search window. */
  status: 400 | 401 | 403 | 429 | 500 | 503;
  /** For 429: seconds until `x-rate-limit-reset` (default 1). */
  resetInSeconds?: number;
  /** How many requests in a row fail (default 1). */
  times?: number;
}

export interface FakeXRequest {
  at: number;
  method: string;
  endpoint: FakeXEndpoint | 'other';
  path: string;
  query: Record<string, string>;
  status: number;
}

export interface FakeXRule {
  id: string;
  value: string;
  tag?: string;
}

export interface FakeXApiOptions {
  /** The token requests must carry as `Authorization: Bearer …` (default `test-token`). */
  bearerToken?: string;
  /** Interval of `\r\n` keep-alives on open streams (default 250 ms; X sends one every 20 s). */
  keepAliveMs?: number;
  /** false: the stream answers 403 client-not-enrolled, as on tiers without the filtered stream. */
  streamAllowed?: boolean;
  /** Requests per 15-minute window before the fake answers 429 by itself (default 450 for search). */
  searchRateLimit?: number;
  /** Largest page the search returns (X: 10..100). */
  maxPageSize?: number;
  /** Length of a rate-limit window in seconds (X: 900). */
  rateLimitWindowSeconds?: number;
  /** The user access token (OAuth 2.0 user context) posts and DMs must carry (default `test-user-token`). */
  userToken?: string;
}

export interface FakeXApi {
  /** `https://127.0.0.1:<port>` — give it to the app as X_API_BASE_URL. */
  baseUrl: string;
  /** The self-signed certificate (PEM) to trust: `new https.Agent({ ca })` or NODE_EXTRA_CA_CERTS=caFile. */
  ca: string;
  caFile: string;
  bearerToken: string;
  /** The user access token for posting (OAuth 1.0a signatures are accepted as they come). */
  userToken: string;
  /** Posts and DMs the app sent, in order. */
  sent(): FakeXSent[];
  /** Adds a user (author); posts refer to it by id. */
  addUser(user: FakeXUser): void;
  /** Publishes a post: it becomes searchable and goes to every open stream whose rules match it. */
  push(post: FakeXPost, options?: { stream?: boolean }): void;
  /** The next request(s) to an endpoint fail as scripted. */
  failNext(failure: FakeXFailure): void;
  /** Ends every open stream connection abruptly (socket destroyed). */
  dropStreams(): void;
  setBearerToken(token: string): void;
  setStreamAllowed(allowed: boolean): void;
  rules(): FakeXRule[];
  requests(): FakeXRequest[];
  openStreams(): number;
  /** Resolves once at least `n` stream connections are open. */
  waitForStreams(n?: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function createCertificate(): { key: string; cert: string; certFile: string; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-x-'));
  const { key, cert, certFile } = createSelfSignedCertificate(dir);
  return { key, cert, certFile, dir };
}

/** X post ids are 64-bit numbers: compare as BigInt. */
function idGreater(a: string, b: string): boolean {
  return BigInt(a) > BigInt(b);
}

/** The query/rule terms as X would match them, simplified: any positive term (word, @handle, "phrase") found in the text. */
function terms(expression: string): string[] {
  const out: string[] = [];
  const re = /"([^"]+)"|(\S+)/g;
  for (let m = re.exec(expression); m; m = re.exec(expression)) {
    const t = (m[1] ?? m[2]).replace(/^[()]+|[()]+$/g, '');
    if (!t || t === 'OR' || t.startsWith('-') || /^[a-z_]+:/.test(t)) continue;
    out.push(t.toLowerCase());
  }
  return out;
}

function matches(expression: string, post: FakeXPost): boolean {
  if (/-is:retweet/.test(expression) && post.referencedTweets?.some((r) => r.type === 'retweeted'))
    return false;
  const text = post.text.toLowerCase();
  return terms(expression).some((t) => text.includes(t));
}

export async function startFakeXApi(options: FakeXApiOptions = {}): Promise<FakeXApi> {
  const { key, cert, certFile, dir } = createCertificate();
  let bearerToken = options.bearerToken ?? 'test-token';
  let streamAllowed = options.streamAllowed ?? true;
  const keepAliveMs = options.keepAliveMs ?? 250;
  const searchLimit = options.searchRateLimit ?? 450;
  const windowSeconds = options.rateLimitWindowSeconds ?? 900;
  const maxPageSize = options.maxPageSize ?? 100;
  const users = new Map<string, FakeXUser>();
  const posts: FakeXPost[] = [];
  const rules: FakeXRule[] = [];
  const failures: FakeXFailure[] = [];
  const log: FakeXRequest[] = [];
  const streams = new Set<{ res: ServerResponse; query: Record<string, string> }>();
  const windows = new Map<FakeXEndpoint, { limit: number; used: number; reset: number }>();
  const userToken = options.userToken ?? 'test-user-token';
  const sent: FakeXSent[] = [];
  let nextRuleId = 1_000;
  let nextSentId = 1_900_000_000_000_000_000n;

  function window(endpoint: FakeXEndpoint) {
    const now = Math.floor(Date.now() / 1000);
    let w = windows.get(endpoint);
    if (!w || w.reset <= now) {
      w = {
        limit:
          endpoint === 'search'
            ? searchLimit
            : endpoint === 'stream'
              ? 50
              : endpoint === 'tweets'
                ? 100
                : 450,
        used: 0,
        reset: now + windowSeconds,
      };
      windows.set(endpoint, w);
    }
    return w;
  }

  function rateHeaders(
    res: ServerResponse,
    endpoint: FakeXEndpoint,
    remaining?: number,
    reset?: number,
  ): void {
    const w = window(endpoint);
    res.setHeader('x-rate-limit-limit', String(w.limit));
    res.setHeader('x-rate-limit-remaining', String(remaining ?? Math.max(0, w.limit - w.used)));
    res.setHeader('x-rate-limit-reset', String(reset ?? w.reset));
  }

  function send(res: ServerResponse, status: number, body: unknown): void {
    const json = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
    });
    res.end(json);
  }

  function problem(status: number): unknown {
    switch (status) {
      case 400:
        return {
          errors: [
            {
              parameters: { since_id: ['1'] },
              message:
                "Invalid 'since_id'. 'since_id' must be a tweet id created after the start of the search window.",
            },
          ],
          title: 'Invalid Request',
          detail: 'One or more parameters to your request was invalid.',
          type: 'https://api.twitter.com/2/problems/invalid-request',
        };
      case 401:
        return { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' };
      case 403:
        return {
          client_id: '1',
          detail:
            'When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project.',
          registration_url: 'https://developer.x.com/en/docs/projects/overview',
          title: 'Client Forbidden',
          required_enrollment: 'Appropriate Level of API Access',
          reason: 'client-not-enrolled',
          type: 'https://api.twitter.com/2/problems/client-forbidden',
        };
      case 429:
        return { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 };
      default:
        return { title: 'Service Unavailable', detail: 'Service Unavailable', type: 'about:blank', status };
    }
  }

  function render(post: FakeXPost) {
    return {
      id: post.id,
      text: post.text,
      author_id: post.authorId,
      created_at: post.createdAt ?? new Date().toISOString(),
      conversation_id: post.conversationId ?? post.id,
      lang: post.lang ?? 'und',
      edit_history_tweet_ids: [post.id],
      ...(post.referencedTweets?.length ? { referenced_tweets: post.referencedTweets } : {}),
    };
  }

  function renderUser(id: string) {
    const u = users.get(id);
    if (!u) return undefined;
    return {
      id: u.id,
      username: u.username,
      name: u.name,
      protected: u.protected ?? false,
      public_metrics: {
        followers_count: u.followers,
        following_count: 0,
        tweet_count: 1,
        listed_count: 0,
        like_count: 0,
      },
    };
  }

  function includes(list: FakeXPost[], query: Record<string, string>) {
    if (!(query.expansions ?? '').split(',').includes('author_id')) return undefined;
    const ids = [...new Set(list.map((p) => p.authorId))];
    const rendered = ids.map(renderUser).filter((u) => u !== undefined);
    return rendered.length ? { users: rendered } : undefined;
  }

  function endpointOf(method: string, pathname: string): FakeXEndpoint | 'other' {
    if (pathname === '/2/tweets/search/recent' && method === 'GET') return 'search';
    if (pathname === '/2/tweets/search/stream' && method === 'GET') return 'stream';
    if (pathname === '/2/tweets/search/stream/rules') return 'rules';
    if (pathname === '/2/tweets' && method === 'POST') return 'tweets';
    if (/^\/2\/dm_conversations\/with\/[^/]+\/messages$/.test(pathname) && method === 'POST') return 'dm';
    return 'other';
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const query = Object.fromEntries(url.searchParams.entries());
    const method = req.method ?? 'GET';
    const endpoint = endpointOf(method, url.pathname);
    const entry: FakeXRequest = { at: Date.now(), method, endpoint, path: url.pathname, query, status: 200 };
    log.push(entry);
    const reply = (status: number, body: unknown) => {
      entry.status = status;
      send(res, status, body);
    };

    if (endpoint === 'other')
      return reply(404, {
        title: 'Not Found Error',
        detail: `no route ${method} ${url.pathname}`,
        type: 'about:blank',
        status: 404,
      });
    const userContext = endpoint === 'tweets' || endpoint === 'dm';
    const authorization = req.headers.authorization ?? '';
    const auth: FakeXSent['auth'] | null = userContext
      ? authorization === `Bearer ${userToken}`
        ? 'bearer'
        : authorization.startsWith('OAuth ') && authorization.includes('oauth_signature=')
          ? 'oauth1'
          : null
      : authorization === `Bearer ${bearerToken}`
        ? 'bearer'
        : null;
    if (!auth) {
      return reply(401, problem(401));
    }
    const failure = failures.find((f) => f.endpoint === endpoint);
    if (failure) {
      failure.times = (failure.times ?? 1) - 1;
      if (failure.times <= 0) failures.splice(failures.indexOf(failure), 1);
      if (failure.status === 429) {
        rateHeaders(res, endpoint, 0, Math.floor(Date.now() / 1000) + (failure.resetInSeconds ?? 1));
      }
      return reply(failure.status, problem(failure.status));
    }
    const w = window(endpoint);
    if (w.used >= w.limit) {
      rateHeaders(res, endpoint, 0);
      return reply(429, problem(429));
    }
    w.used += 1;
    rateHeaders(res, endpoint);

    if (endpoint === 'search') {
      if (!query.query)
        return reply(400, {
          title: 'Invalid Request',
          detail: 'query is required',
          type: 'https://api.twitter.com/2/problems/invalid-request',
        });
      const pageSize = Math.min(maxPageSize, Math.max(10, Number(query.max_results ?? 10)));
      const found = posts
        .filter((p) => (!query.since_id || idGreater(p.id, query.since_id)) && matches(query.query, p))
        .sort((a, b) => (idGreater(a.id, b.id) ? -1 : 1));
      const offset = query.next_token
        ? Number(Buffer.from(query.next_token, 'base64url').toString('utf8'))
        : 0;
      const page = found.slice(offset, offset + pageSize);
      const more = offset + pageSize < found.length;
      const meta = {
        result_count: page.length,
        ...(page.length ? { newest_id: page[0].id, oldest_id: page[page.length - 1].id } : {}),
        ...(more ? { next_token: Buffer.from(String(offset + pageSize)).toString('base64url') } : {}),
      };
      const inc = includes(page, query);
      return reply(
        200,
        page.length ? { data: page.map(render), ...(inc ? { includes: inc } : {}), meta } : { meta },
      );
    }

    if (endpoint === 'tweets' || endpoint === 'dm') {
      const body = JSON.parse((await readBody(req)) || '{}') as {
        text?: string;
        reply?: { in_reply_to_tweet_id?: string };
      };
      const text = body.text ?? '';
      if (!text)
        return reply(400, {
          title: 'Invalid Request',
          detail: 'text is required',
          type: 'about:blank',
          status: 400,
        });
      const id = String(nextSentId++);
      if (endpoint === 'dm') {
        const participantId = url.pathname.split('/')[4];
        sent.push({ id, kind: 'dm', text, participantId, auth, at: Date.now() });
        return reply(201, { data: { dm_conversation_id: `${participantId}-1`, dm_event_id: id } });
      }
      if ([...text].length > 280)
        return reply(403, {
          title: 'Forbidden',
          detail: 'You are not permitted to perform this action. (Your Tweet text is too long.)',
          type: 'about:blank',
          status: 403,
        });
      const inReplyTo = body.reply?.in_reply_to_tweet_id;
      if (inReplyTo && !posts.some((p) => p.id === inReplyTo))
        return reply(400, {
          title: 'Invalid Request',
          detail: 'The Tweet you are replying to has been deleted or is not visible to you.',
          type: 'https://api.twitter.com/2/problems/invalid-request',
          status: 400,
        });
      sent.push({ id, kind: 'post', text, ...(inReplyTo ? { inReplyTo } : {}), auth, at: Date.now() });
      return reply(201, { data: { id, text, edit_history_tweet_ids: [id] } });
    }

    if (endpoint === 'rules') {
      if (method === 'GET') {
        return reply(
          200,
          rules.length
            ? { data: rules, meta: { sent: new Date().toISOString(), result_count: rules.length } }
            : { meta: { sent: new Date().toISOString(), result_count: 0 } },
        );
      }
      const body = JSON.parse((await readBody(req)) || '{}') as {
        add?: Array<{ value: string; tag?: string }>;
        delete?: { ids?: string[] };
      };
      if (body.add) {
        const created: FakeXRule[] = [];
        let notCreated = 0;
        for (const r of body.add) {
          if (rules.some((x) => x.value === r.value)) {
            notCreated += 1;
            continue;
          }
          const rule = { id: String(nextRuleId++), value: r.value, ...(r.tag ? { tag: r.tag } : {}) };
          rules.push(rule);
          created.push(rule);
        }
        return reply(201, {
          ...(created.length ? { data: created } : {}),
          meta: {
            sent: new Date().toISOString(),
            summary: { created: created.length, not_created: notCreated, valid: created.length, invalid: 0 },
          },
        });
      }
      if (body.delete) {
        let deleted = 0;
        for (const id of body.delete.ids ?? []) {
          const i = rules.findIndex((r) => r.id === id);
          if (i >= 0) {
            rules.splice(i, 1);
            deleted += 1;
          }
        }
        return reply(200, {
          meta: {
            sent: new Date().toISOString(),
            summary: { deleted, not_deleted: (body.delete.ids?.length ?? 0) - deleted },
          },
        });
      }
      return reply(400, {
        title: 'Invalid Request',
        detail: 'add or delete is required',
        type: 'https://api.twitter.com/2/problems/invalid-request',
      });
    }

    // endpoint === 'stream'
    if (!streamAllowed) return reply(403, problem(403));
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'transfer-encoding': 'chunked',
      connection: 'keep-alive',
    });
    res.flushHeaders();
    const stream = { res, query };
    streams.add(stream);
    const timer = setInterval(() => res.write('\r\n'), keepAliveMs);
    const done = () => {
      clearInterval(timer);
      streams.delete(stream);
    };
    res.on('close', done);
    req.on('close', done);
  }

  const server: Server = createServer({ key, cert }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        send(res, 500, { title: 'Internal', detail: String(err), type: 'about:blank', status: 500 });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const api: FakeXApi = {
    baseUrl: `https://127.0.0.1:${port}`,
    ca: cert,
    caFile: certFile,
    get bearerToken() {
      return bearerToken;
    },
    userToken,
    sent: () => sent.map((x) => ({ ...x })),
    addUser(user) {
      users.set(user.id, user);
    },
    push(post, pushOptions = {}) {
      posts.push(post);
      if (pushOptions.stream === false) return;
      for (const s of streams) {
        const matching = rules.filter((r) => matches(r.value, post));
        if (matching.length === 0) continue;
        const inc = includes([post], s.query);
        const payload = {
          data: render(post),
          ...(inc ? { includes: inc } : {}),
          matching_rules: matching.map((r) => ({ id: r.id, tag: r.tag })),
        };
        s.res.write(`${JSON.stringify(payload)}\r\n`);
      }
    },
    failNext(failure) {
      failures.push({ ...failure, times: failure.times ?? 1 });
    },
    dropStreams() {
      for (const s of [...streams]) {
        streams.delete(s);
        s.res.socket?.destroy();
        s.res.destroy();
      }
    },
    setBearerToken(token) {
      bearerToken = token;
    },
    setStreamAllowed(allowed) {
      streamAllowed = allowed;
    },
    rules: () => rules.map((r) => ({ ...r })),
    requests: () => [...log],
    openStreams: () => streams.size,
    async waitForStreams(n = 1, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (streams.size < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} open stream(s), have ${streams.size}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop() {
      api.dropStreams();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return api;
}
