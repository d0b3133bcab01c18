import type { BusinessCalendarConfig, EscalationPolicy, SlaPolicy } from '@klaxon/sla/domain';

export const SLA_OPTIONS = Symbol('SLA_OPTIONS');

export interface WebhookSubscription {
  id: string;
  url: string;
  /** Shared secret for the HMAC-SHA256 signature. */
  secret: string;
  /** Event types to send (`sla-alert`, `sla-share-below-target`, `sla-at-risk`); empty = all. */
  events?: string[];
}

export interface SmtpOptions {
  host: string;
  port: number;
  secure?: boolean;
  auth?: { user: string; pass: string };
  /** The From address of acknowledgements, replies and CSAT requests. */
  from: string;
}

/** X user context for replies: OAuth 1.0a user tokens, or an OAuth 2.0 user access token. */
export interface XReplyOptions {
  credentials:
    | { appKey: string; appSecret: string; accessToken: string; accessSecret: string }
    | { accessToken: string };
  /** A recording proxy or a test server instead of https://api.x.com. */
  baseUrl?: string;
  /** Extra CA (PEM) to trust for baseUrl. */
  ca?: string;
}

export interface SlaOptions {
  policies: SlaPolicy[];
  calendar: BusinessCalendarConfig;
  escalation?: EscalationPolicy;
  /** How often the scheduler looks for due warnings, breaches, escalations, messages and webhooks. */
  scanIntervalMs: number;
  /** Most clocks fired in one transaction. */
  scanBatchSize: number;
  /** Start the scheduler on boot (tests drive the passes themselves). */
  scheduler?: boolean;
  /** Outgoing webhooks, seeded into `webhook_subscriptions` at start-up. */
  webhooks?: WebhookSubscription[];
  /** Webhook attempts before a delivery is given up (recorded as failed). */
  webhookMaxAttempts?: number;
  /** Backoff between webhook attempts (`backoffDelay`: doubling from this, jittered, capped). */
  webhookBackoffMs?: number;
  webhookBackoffMaxMs?: number;
  /** SMTP for acknowledgements, replies and CSAT requests; without it email messages are marked `manual`. */
  smtp?: SmtpOptions;
  /** Without SMTP: keep outgoing mail as sent to the demo mail catcher ("Sent mail" in the console) instead of `manual`. */
  mailCatcher?: boolean;
  /** X replies (public or DM); without them X messages are kept as not posted (`manual`). */
  x?: XReplyOptions;
  /** A send recorded as started and not finished within this time is in doubt: never sent again by itself. */
  sendLeaseMs?: number;
  /** A customer's answer reopens a resolved complaint within this time after resolution (default 14 days). */
  reopenWindowMs?: number;
  /** How often the team SLA share and breach prediction passes run. */
  analysisIntervalMs?: number;
  /** The window the team SLA share is computed over. */
  teamShareWindowMs?: number;
}
