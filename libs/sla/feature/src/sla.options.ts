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
  /** How often the team SLA share and breach prediction passes run. */
  analysisIntervalMs?: number;
  /** The window the team SLA share is computed over. */
  teamShareWindowMs?: number;
}
