import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import {
  ComplaintClassifiedEvent,
  encodeEvent,
  type ComplaintClassified,
  type ComplaintReceived,
} from '@klaxon/contracts';
import type { ConsumedEvent } from '@klaxon/platform/messaging';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE, appendHistory, appendToOutbox, claimFresh } from '@klaxon/platform/persistence';
import { CLOCK, LOGGER, type Clock } from '@klaxon/platform/runtime';
import { ClassificationMetrics } from './classification.metrics';
import { ClassifierProvider } from './classifier.provider';

export const CLASSIFIER_CONSUMER = 'klaxon-classifier';

/**
 * Classifies a batch of received complaints in one transaction: the complaint row (created if the
 * channel did not store it), its history and the ComplaintClassified events commit together.
 * Idempotent on the event id: a redelivered batch changes nothing.
 */
@Injectable()
export class ClassifyComplaintsService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly classifiers: ClassifierProvider,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: ClassificationMetrics,
  ) {}

  async handle(batch: ConsumedEvent<ComplaintReceived>[]): Promise<void> {
    const committed = await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(manager, CLASSIFIER_CONSUMER, batch, (e) => e.envelope.eventId);
      if (todo.length === 0) return [];
      const classifier = this.classifiers.current;
      const classifiedAt = this.clock.now().toISOString();
      const results = todo.map(({ envelope }) => {
        const r = envelope.data;
        const decision = classifier.classify({
          text: r.text,
          subject: r.subject,
          channel: r.channel,
          languageHint: r.languageHint,
          reach: r.social?.followers,
          isPublic: r.social?.isPublic,
          recentComplaints: r.recentComplaints,
        });
        const classified: ComplaintClassified = {
          complaintId: r.complaintId,
          channel: r.channel,
          receivedAt: r.receivedAt,
          classifiedAt,
          language: decision.language,
          complaint: decision.complaint,
          complaintProbability: decision.complaintProbability,
          category: decision.category,
          categoryProbability: decision.categoryProbability,
          priority: decision.priority,
          priorityReasons: decision.priorityReasons,
          sentiment: decision.sentiment,
          why: decision.why,
          reputationalRisk: decision.reputationalRisk,
          modelVersion: decision.modelVersion,
          customer: r.customer,
          ...(r.unit ? { unit: r.unit } : {}),
          ...(r.social ? { reach: r.social.followers } : {}),
        };
        return { envelope, received: r, classified };
      });

      await manager.query(
        `INSERT INTO complaints (id, channel, source_id, status, received_at, subject, text, customer, customer_picked, unit, channel_meta,
                                 language, complaint_label, complaint_probability, category, category_probability, priority, priority_reasons,
                                 why, sentiment, reputational_risk, model_version, classified_at, correlation_id, created_at, updated_at)
         SELECT id, channel, source_id, status, received_at, subject, text, customer, customer_picked, unit, channel_meta,
                language, complaint_label, complaint_probability, category, category_probability, priority, priority_reasons,
                why, sentiment, reputational_risk, model_version, classified_at, correlation_id, now(), now()
           FROM jsonb_to_recordset($1::jsonb) AS r(id text, channel text, source_id text, status text, received_at timestamptz, subject text,
                text text, customer jsonb, customer_picked text, unit text, channel_meta jsonb, language text, complaint_label text,
                complaint_probability double precision, category text, category_probability double precision, priority text,
                priority_reasons jsonb, why jsonb, sentiment double precision, reputational_risk boolean, model_version text,
                classified_at timestamptz, correlation_id text)
         ON CONFLICT (id) DO UPDATE SET
           language = EXCLUDED.language, complaint_label = EXCLUDED.complaint_label, complaint_probability = EXCLUDED.complaint_probability,
           category = EXCLUDED.category, category_probability = EXCLUDED.category_probability, priority = EXCLUDED.priority,
           priority_reasons = EXCLUDED.priority_reasons, why = EXCLUDED.why, sentiment = EXCLUDED.sentiment,
           reputational_risk = EXCLUDED.reputational_risk, model_version = EXCLUDED.model_version, classified_at = EXCLUDED.classified_at,
           status = CASE WHEN complaints.status = 'received' THEN EXCLUDED.status ELSE complaints.status END,
           updated_at = now()`,
        [
          JSON.stringify(
            results.map(({ envelope, received: r, classified: c }) => ({
              id: r.complaintId,
              channel: r.channel,
              source_id: r.sourceId,
              status: c.complaint === 'none' ? 'signal' : 'classified',
              received_at: r.receivedAt,
              subject: r.subject ?? null,
              text: r.text,
              customer: r.customer,
              customer_picked: r.customerPicked ?? null,
              unit: r.unit ?? null,
              channel_meta:
                r.email || r.social || r.phone ? { email: r.email, social: r.social, phone: r.phone } : null,
              language: c.language,
              complaint_label: c.complaint,
              complaint_probability: c.complaintProbability,
              category: c.category,
              category_probability: c.categoryProbability,
              priority: c.priority,
              priority_reasons: c.priorityReasons,
              why: c.why,
              sentiment: c.sentiment,
              reputational_risk: c.reputationalRisk,
              model_version: c.modelVersion,
              classified_at: c.classifiedAt,
              correlation_id: envelope.correlationId,
            })),
          ),
        ],
      );
      await appendHistory(
        manager,
        results.map(({ envelope, classified: c }) => ({
          complaintId: c.complaintId,
          at: c.classifiedAt,
          kind: 'classified',
          actor: 'classifier',
          reason: `${c.complaint} complaint (${c.complaintProbability.toFixed(2)}), ${c.category}, ${c.priority} priority`,
          data: {
            modelVersion: c.modelVersion,
            priorityReasons: c.priorityReasons,
            why: c.why,
            language: c.language,
          },
          eventId: envelope.eventId,
          correlationId: envelope.correlationId,
        })),
      );
      await appendToOutbox(
        manager,
        results.map(({ envelope, classified }) =>
          encodeEvent(ComplaintClassifiedEvent, classified, {
            eventId: `${classified.complaintId}:classified:${envelope.eventId}`,
            correlationId: envelope.correlationId,
            causationId: envelope.eventId,
          }),
        ),
      );
      for (const { envelope, classified: c } of results) {
        this.logger.debug(
          {
            complaintId: c.complaintId,
            correlationId: envelope.correlationId,
            complaint: c.complaint,
            category: c.category,
            priority: c.priority,
          },
          'classified',
        );
      }
      return results.map((r) => r.classified);
    });
    this.metrics.record(committed);
  }
}
