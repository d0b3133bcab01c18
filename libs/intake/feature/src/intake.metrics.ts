import { Inject, Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { counter, type Registry } from '@klaxon/platform/observability';
import { METRICS } from '@klaxon/platform/runtime';

/** Per-channel intake counters on /metrics (same names the other channels' ingesters can use). */
@Injectable()
export class IntakeMetrics {
  readonly received: Counter;
  readonly duplicates: Counter;
  readonly errors: Counter;
  readonly spam: Counter;

  constructor(@Inject(METRICS) registry: Registry) {
    this.received = counter(
      registry,
      'klaxon_intake_received_total',
      'Complaints taken in (new), by channel',
      ['channel'],
    );
    this.duplicates = counter(
      registry,
      'klaxon_intake_duplicates_total',
      'Submissions recognised as already taken in (skipped), by channel',
      ['channel'],
    );
    this.errors = counter(
      registry,
      'klaxon_intake_errors_total',
      'Submissions refused or failed, by channel and error code',
      ['channel', 'code'],
    );
    this.spam = counter(
      registry,
      'klaxon_intake_spam_total',
      'Form posts refused as spam (honeypot filled, rate limited)',
      ['reason'],
    );
  }
}
