import { Inject, Injectable } from '@nestjs/common';
import type { ComplaintClassified } from '@klaxon/contracts';
import { counter, type Registry } from '@klaxon/platform/observability';
import { METRICS } from '@klaxon/platform/runtime';

/** Business counter of the classifier: what it decided, by label, category and channel. */
@Injectable()
export class ClassificationMetrics {
  private readonly classified;

  constructor(@Inject(METRICS) registry: Registry) {
    this.classified = counter(
      registry,
      'klaxon_complaints_classified_total',
      'Complaints classified, by label (explicit, latent, none), category and channel',
      ['label', 'category', 'channel'],
    );
  }

  /** Call once the classifications are committed (a rolled-back batch is not counted). */
  record(classified: ComplaintClassified[]): void {
    for (const c of classified)
      this.classified.inc({ label: c.complaint, category: c.category, channel: c.channel });
  }
}
