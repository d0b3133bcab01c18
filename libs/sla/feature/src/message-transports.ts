import https from 'node:https';
import nodemailer, { type Transporter } from 'nodemailer';
import { ApiResponseError, TwitterApi, type ITwitterApiClientPlugin } from 'twitter-api-v2';
import type { SlaOptions, XReplyOptions } from './sla.options';

/** One outgoing message as the sender hands it to a transport. */
export interface Outgoing {
  complaintId: string;
  reference: string;
  recipient: string | null;
  subject: string;
  body: string;
  /** The idempotency key, already in the SMTP Message-ID. */
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  mode: 'public' | 'dm' | null;
}

/** What a transport did: sent (with the channel's id), or a reason it did not. */
export type SendResult =
  | { outcome: 'sent'; transport: string; externalId?: string }
  | { outcome: 'not-sent'; status: 'manual'; transport: string | null; reason: string }
  /** The channel refused it for good (4xx): surfaced as failed with its answer, never retried. */
  | { outcome: 'refused'; reason: string }
  /** Try again at `retryAt` (a rate limit's reset) or after back-off. */
  | { outcome: 'retry'; reason: string; retryAt?: Date };

export interface MessageTransport {
  send(message: Outgoing): Promise<SendResult>;
  close(): void;
}

/** E-mail: SMTP when configured; else the demo mail catcher (the row itself, shown under "Sent mail"); else by hand. */
export function emailTransport(options: SlaOptions): MessageTransport {
  const smtp = options.smtp;
  if (!smtp) {
    return {
      send: async () =>
        options.mailCatcher
          ? { outcome: 'sent', transport: 'mail-catcher' }
          : { outcome: 'not-sent', status: 'manual', transport: null, reason: 'no SMTP configured' },
      close: () => undefined,
    };
  }
  const transport: Transporter = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure ?? false,
    ...(smtp.auth ? { auth: smtp.auth } : {}),
    ignoreTLS: !smtp.secure && !smtp.auth,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send(m) {
      if (!m.recipient)
        return { outcome: 'not-sent', status: 'manual', transport: null, reason: 'no address' };
      try {
        await transport.sendMail({
          from: smtp.from,
          to: m.recipient,
          subject: m.subject,
          text: m.body,
          messageId: m.messageId,
          headers: { 'X-Klaxon-Reference': m.reference },
          ...(m.inReplyTo ? { inReplyTo: m.inReplyTo } : {}),
          ...(m.references.length ? { references: m.references } : {}),
        });
        return { outcome: 'sent', transport: 'smtp' };
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        const reason = String((err as Error).message ?? err);
        // A permanent SMTP answer (5xx) will not change by trying again.
        return code && code >= 500 ? { outcome: 'refused', reason } : { outcome: 'retry', reason };
      }
    },
    close: () => transport.close(),
  };
}

const X_HOSTS = /^https:\/\/(api\.x\.com|api\.twitter\.com)(?=\/|$)/;

/** X: a public reply under the customer's post, or a DM; without credentials kept as "not posted". */
export function xTransport(options: SlaOptions): MessageTransport {
  const x = options.x;
  if (!x) {
    return {
      send: async () => ({
        outcome: 'not-sent',
        status: 'manual',
        transport: 'x-not-posted',
        reason: 'no X credentials configured: not posted, for webcare to post by hand',
      }),
      close: () => undefined,
    };
  }
  const client = createXUserClient(x);
  return {
    async send(m) {
      if (!m.inReplyTo || !m.recipient)
        return { outcome: 'refused', reason: 'the complaint has no X post or author to answer' };
      try {
        if (m.mode === 'dm') {
          const dm = await client.v2.sendDmToParticipant(m.recipient, { text: m.body });
          return { outcome: 'sent', transport: 'x', externalId: dm.dm_event_id };
        }
        const posted = await client.v2.reply(m.body, m.inReplyTo);
        return { outcome: 'sent', transport: 'x', externalId: posted.data.id };
      } catch (err) {
        if (err instanceof ApiResponseError) {
          const detail = `X answered ${err.code}: ${(err.data as { detail?: string })?.detail ?? err.message}`;
          if (err.code === 429)
            return {
              outcome: 'retry',
              reason: detail,
              ...(err.rateLimit?.reset ? { retryAt: new Date(err.rateLimit.reset * 1000) } : {}),
            };
          if (err.code >= 400 && err.code < 500) return { outcome: 'refused', reason: detail };
          return { outcome: 'retry', reason: detail };
        }
        return { outcome: 'retry', reason: String((err as Error).message ?? err) };
      }
    },
    close: () => undefined,
  };
}

function createXUserClient(x: XReplyOptions): TwitterApi {
  const plugins: ITwitterApiClientPlugin[] = [];
  if (x.baseUrl && !/^https:\/\/api\.x\.com\/?$/.test(x.baseUrl)) {
    const target = x.baseUrl.replace(/\/+$/, '');
    plugins.push({
      onBeforeRequestConfig: (args) => {
        args.params.url = args.params.url.replace(X_HOSTS, target);
      },
    });
  }
  const settings = {
    plugins,
    ...(x.ca ? { httpAgent: new https.Agent({ ca: x.ca, keepAlive: true }) } : {}),
  };
  return 'accessSecret' in x.credentials
    ? new TwitterApi(x.credentials, settings)
    : new TwitterApi(x.credentials.accessToken, settings);
}
