import { Gauge, type Counter } from 'prom-client';
import { counter, type Registry } from '@klaxon/platform/observability';

export const SOURCE_STATES = [
  'starting',
  'connecting',
  'catching-up',
  'streaming',
  'polling',
  'reconnecting',
  'rate-limited',
  'unauthorized',
  'stopped',
] as const;
export type SourceState = (typeof SOURCE_STATES)[number];

/** Per channel `social` and network: received, duplicates skipped, errors by kind, rate-limit waits, and the source's state. */
export class SocialMetrics {
  readonly received: Counter;
  readonly duplicates: Counter;
  readonly errors: Counter;
  readonly rateLimitWaits: Counter;
  readonly state: Gauge;

  constructor(registry: Registry) {
    this.received = counter(
      registry,
      'klaxon_social_posts_received_total',
      'Posts turned into ComplaintReceived and acknowledged by the bus',
      ['channel', 'network'],
    );
    this.duplicates = counter(
      registry,
      'klaxon_social_duplicates_skipped_total',
      'Posts seen again (stream/search overlap, restart) and skipped',
      ['channel', 'network'],
    );
    this.errors = counter(
      registry,
      'klaxon_social_errors_total',
      'Errors talking to the network or handing posts over, by kind',
      ['channel', 'network', 'kind'],
    );
    this.rateLimitWaits = counter(
      registry,
      'klaxon_social_rate_limit_waits_total',
      'Waits for a rate-limit reset',
      ['channel', 'network', 'endpoint'],
    );
    const existing = registry.getSingleMetric('klaxon_social_source_state');
    this.state =
      (existing as Gauge | undefined) ??
      new Gauge({
        name: 'klaxon_social_source_state',
        help: '1 for the state each social source is in (unauthorized = credentials rejected)',
        labelNames: ['channel', 'network', 'state'],
        registers: [registry],
      });
  }

  setState(network: string, state: SourceState): void {
    for (const s of SOURCE_STATES)
      this.state.set({ channel: 'social', network, state: s }, s === state ? 1 : 0);
  }
}
