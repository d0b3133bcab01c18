import { counter, type Registry } from '@klaxon/platform/observability';
import type { Counter } from 'prom-client';

/** Per mailbox: what came in and what became of it. */
export interface EmailMetrics {
  /** Messages read, by outcome: complaint, reply, auto-reply, bounce, dead-letter. */
  received: Counter;
  /** Messages seen before (re-read after a crash or a missing \Seen flag): nothing published twice. */
  duplicates: Counter;
  /** Connection, server and processing errors (the worker reconnects after each). */
  errors: Counter;
}

export function emailMetrics(registry: Registry): EmailMetrics {
  return {
    received: counter(
      registry,
      'klaxon_email_messages_total',
      'Email messages handled, by mailbox and outcome',
      ['mailbox', 'outcome'],
    ),
    duplicates: counter(
      registry,
      'klaxon_email_duplicates_skipped_total',
      'Email messages skipped because they were handled before',
      ['mailbox'],
    ),
    errors: counter(registry, 'klaxon_email_errors_total', 'Email connection and processing errors', [
      'mailbox',
      'kind',
    ]),
  };
}
