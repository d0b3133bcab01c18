import type { EventEnvelope } from '@klaxon/contracts';
import { histogram, type Registry } from '@klaxon/platform/observability';

/** Seconds, from a few milliseconds (a quiet hop) to minutes (a stage that fell behind). */
const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * Where a complaint's time goes, per consuming stage (its group): how long an event waited on the bus
 * (consume time − the producer's `occurredAt`), how long the stage's handler took for a batch, and how
 * old the complaint was when the stage saw it (from its `receivedAt`, when the event carries one).
 * A no-op without a registry.
 */
export class StageMetrics {
  private readonly queueWait;
  private readonly handling;
  private readonly complaintAge;

  constructor(
    registry: Registry | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.queueWait = registry
      ? histogram(
          registry,
          'klaxon_stage_queue_wait_seconds',
          'Time an event waited between its production and its consumption by a stage',
          ['topic', 'group'],
          LATENCY_BUCKETS,
        )
      : null;
    this.handling = registry
      ? histogram(
          registry,
          'klaxon_stage_handling_seconds',
          "Time a stage's handler took for one batch",
          ['topic', 'group'],
          LATENCY_BUCKETS,
        )
      : null;
    this.complaintAge = registry
      ? histogram(
          registry,
          'klaxon_complaint_age_seconds',
          'Age of the complaint (since it was received) when a stage consumed an event about it',
          ['stage'],
          LATENCY_BUCKETS,
        )
      : null;
  }

  /** Call when a batch arrives, before the handler runs. */
  consumed(topic: string, group: string, envelopes: Array<EventEnvelope<unknown>>): void {
    if (!this.queueWait || !this.complaintAge) return;
    const now = this.now();
    for (const envelope of envelopes) {
      const produced = Date.parse(envelope.occurredAt);
      if (Number.isFinite(produced))
        this.queueWait.observe({ topic, group }, Math.max(0, now - produced) / 1000);
      const receivedAt = receivedAtOf(envelope.data);
      if (receivedAt !== null)
        this.complaintAge.observe({ stage: group }, Math.max(0, now - receivedAt) / 1000);
    }
  }

  /** Starts the handling clock of one batch; call the returned function when the handler is done. */
  startHandling(topic: string, group: string): () => void {
    if (!this.handling) return () => undefined;
    const started = this.now();
    return () => this.handling?.observe({ topic, group }, (this.now() - started) / 1000);
  }
}

function receivedAtOf(data: unknown): number | null {
  if (typeof data !== 'object' || data === null) return null;
  const value = (data as { receivedAt?: unknown }).receivedAt;
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}
