import { z } from 'zod';
import { bool, parseEnv, port, positiveInt, type Env } from '@klaxon/platform/config';
import type { SlaOptions } from './sla.options';

/** The environment of messages to customers; documented in README.md ("The conversation with the customer"). */
export const customerMessagingEnvShape = {
  SMTP_HOST: z.string().optional(),
  SMTP_PORT: port.default(587),
  SMTP_SECURE: bool.default(false),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  SMTP_FROM: z.string().default('Klantenservice <klantenservice@example.com>'),
  X_REPLY_APP_KEY: z.string().optional(),
  X_REPLY_APP_SECRET: z.string().optional(),
  X_REPLY_ACCESS_TOKEN: z.string().optional(),
  X_REPLY_ACCESS_SECRET: z.string().optional(),
  X_API_BASE_URL: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }).optional(),
  MESSAGE_SEND_LEASE_MS: positiveInt.default(60_000),
  REOPEN_WINDOW_DAYS: z.coerce.number().nonnegative().default(14),
};

/**
 * SMTP, X reply credentials (OAuth 1.0a: all four X_REPLY_*; OAuth 2.0 user context: X_REPLY_ACCESS_TOKEN
 * alone), the send lease and the reopen window. `embedded` (npm start): without SMTP, mail goes to the
 * demo mail catcher.
 */
export function customerMessagingFromEnv(env: Env, o: { embedded: boolean }): Partial<SlaOptions> {
  const e = parseEnv(customerMessagingEnvShape, env);
  const oauth1 = [e.X_REPLY_APP_KEY, e.X_REPLY_APP_SECRET, e.X_REPLY_ACCESS_SECRET];
  if (oauth1.some(Boolean) && !(oauth1.every(Boolean) && e.X_REPLY_ACCESS_TOKEN))
    parseEnv(
      {
        X_REPLY_ACCESS_TOKEN: z.string({
          error:
            'OAuth 1.0a needs X_REPLY_APP_KEY, X_REPLY_APP_SECRET, X_REPLY_ACCESS_TOKEN and X_REPLY_ACCESS_SECRET',
        }),
        X_REPLY_ACCESS_SECRET: z.string({ error: 'is required with X_REPLY_APP_KEY' }),
      },
      {},
    );
  return {
    sendLeaseMs: e.MESSAGE_SEND_LEASE_MS,
    reopenWindowMs: e.REOPEN_WINDOW_DAYS * 86_400_000,
    mailCatcher: o.embedded && !e.SMTP_HOST,
    ...(e.SMTP_HOST
      ? {
          smtp: {
            host: e.SMTP_HOST,
            port: e.SMTP_PORT,
            secure: e.SMTP_SECURE,
            from: e.SMTP_FROM,
            ...(e.SMTP_USER ? { auth: { user: e.SMTP_USER, pass: e.SMTP_PASSWORD ?? '' } } : {}),
          },
        }
      : {}),
    ...(e.X_REPLY_ACCESS_TOKEN
      ? {
          x: {
            credentials:
              e.X_REPLY_APP_KEY && e.X_REPLY_APP_SECRET && e.X_REPLY_ACCESS_SECRET
                ? {
                    appKey: e.X_REPLY_APP_KEY,
                    appSecret: e.X_REPLY_APP_SECRET,
                    accessToken: e.X_REPLY_ACCESS_TOKEN,
                    accessSecret: e.X_REPLY_ACCESS_SECRET,
                  }
                : { accessToken: e.X_REPLY_ACCESS_TOKEN },
            ...(e.X_API_BASE_URL ? { baseUrl: e.X_API_BASE_URL } : {}),
          },
        }
      : {}),
  };
}
