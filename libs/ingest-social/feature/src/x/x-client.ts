import https from 'node:https';
import { TwitterApi, type ITwitterApiClientPlugin, type TwitterRateLimit } from 'twitter-api-v2';

export const DEFAULT_X_API_BASE_URL = 'https://api.x.com';

const X_HOSTS = /^https:\/\/(api\.x\.com|api\.twitter\.com)(?=\/|$)/;

/**
 * twitter-api-v2 has no base-URL option: this plugin rewrites the X hosts in every request and
 * stream request to `baseUrl` (a recording proxy, a test server). It must change `args.params.url`;
 * the `url` argument is a copy.
 */
export function baseUrlPlugin(baseUrl: string): ITwitterApiClientPlugin {
  const target = baseUrl.replace(/\/+$/, '');
  const rewrite = (args: { params: { url: string } }) => {
    args.params.url = args.params.url.replace(X_HOSTS, target);
  };
  return {
    onBeforeRequestConfig: (args) => void rewrite(args),
    onBeforeStreamRequestConfig: (args) => rewrite(args),
  };
}

/** Sees the `x-rate-limit-*` headers of every successful response (the client parses them into `rateLimit`). */
export function rateLimitPlugin(
  onRateLimit: (endpoint: string, limit: TwitterRateLimit) => void,
): ITwitterApiClientPlugin {
  return {
    onAfterRequest: (args) => {
      if (args.response.rateLimit) onRateLimit(endpointKey(args.url), args.response.rateLimit);
    },
  };
}

/** Rate limits are per endpoint: the path without the host. */
export function endpointKey(url: URL | string): string {
  return (typeof url === 'string' ? new URL(url) : url).pathname.replace(/\/+$/, '');
}

export interface XClientOptions {
  bearerToken: string;
  baseUrl?: string;
  /** Extra CA (PEM) to trust, e.g. a test server's self-signed certificate. Otherwise Node's trust (NODE_EXTRA_CA_CERTS). */
  ca?: string;
  onRateLimit?: (endpoint: string, limit: TwitterRateLimit) => void;
}

export function createXClient(options: XClientOptions): TwitterApi {
  const plugins: ITwitterApiClientPlugin[] = [];
  const baseUrl = options.baseUrl ?? DEFAULT_X_API_BASE_URL;
  if (baseUrl.replace(/\/+$/, '') !== DEFAULT_X_API_BASE_URL) plugins.push(baseUrlPlugin(baseUrl));
  if (options.onRateLimit) plugins.push(rateLimitPlugin(options.onRateLimit));
  return new TwitterApi(options.bearerToken, {
    plugins,
    ...(options.ca ? { httpAgent: new https.Agent({ ca: options.ca, keepAlive: true }) } : {}),
  });
}
