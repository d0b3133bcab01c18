import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { CaseEvent } from '@klaxon/contracts';
import {
  PermanentMessageError,
  type ConsumedBatchOutcome,
  type ConsumedEvent,
} from '@klaxon/platform/messaging';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE, claimFresh } from '@klaxon/platform/persistence';
import { LOGGER } from '@klaxon/platform/runtime';

export const CORRECTIONS_CONSUMER = 'klaxon-classifier-corrections';

interface ComplaintRow {
  id: string;
  text: string;
  subject: string | null;
  language: string | null;
  model_version: string | null;
}

/**
 * Keeps handlers' corrections (case events with action `corrected`) as training examples: the
 * complaint's text with the corrected labels, one row per complaint in `training_examples`. A later
 * correction of another label merges in; a correction of the same label replaces it unless it is
 * older. Idempotent on the event id. A correction without labels, or of a complaint this database
 * does not know, is dead-lettered with the reason.
 */
@Injectable()
export class RecordCorrectionsService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(batch: ConsumedEvent<CaseEvent>[]): Promise<ConsumedBatchOutcome> {
    const rejected: ConsumedBatchOutcome['rejected'] = [];
    const corrections = batch.filter((e) => e.envelope.data.action === 'corrected');
    const labelled = corrections.filter((e) => {
      const c = e.envelope.data.correction;
      if (c && (c.category !== undefined || c.priority !== undefined || c.complaint !== undefined))
        return true;
      rejected.push({
        event: e,
        error: new PermanentMessageError(
          'correction-without-labels',
          `case event ${e.envelope.data.caseEventId} is 'corrected' but corrects no label`,
        ),
      });
      return false;
    });
    if (labelled.length === 0) return { rejected };

    await this.dataSource.transaction(async (manager) => {
      const ids = [...new Set(labelled.map((e) => e.envelope.data.complaintId))];
      const rows = (await manager.query(
        `SELECT id, text, subject, language, model_version FROM complaints WHERE id = ANY($1::text[])`,
        [ids],
      )) as ComplaintRow[];
      const complaints = new Map(rows.map((r) => [r.id, r]));
      const known = labelled.filter((e) => {
        if (complaints.has(e.envelope.data.complaintId)) return true;
        rejected.push({
          event: e,
          error: new PermanentMessageError(
            'unknown-complaint',
            `correction for complaint ${e.envelope.data.complaintId}, which is not in the complaints table`,
          ),
        });
        return false;
      });
      const todo = (await claimFresh(manager, CORRECTIONS_CONSUMER, known, (e) => e.envelope.eventId)).sort(
        (a, b) => Date.parse(a.envelope.data.at) - Date.parse(b.envelope.data.at),
      );
      // One statement per correction: two corrections of one complaint in a batch must both apply, in order.
      for (const { envelope } of todo) {
        const d = envelope.data;
        const c = complaints.get(d.complaintId)!;
        await manager.query(
          `INSERT INTO training_examples (complaint_id, text, subject, language, complaint, category, priority, model_version, corrected_by, case_event_id, corrected_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (complaint_id) DO UPDATE SET
             complaint = CASE WHEN EXCLUDED.complaint IS NOT NULL AND EXCLUDED.corrected_at >= training_examples.corrected_at THEN EXCLUDED.complaint ELSE COALESCE(training_examples.complaint, EXCLUDED.complaint) END,
             category = CASE WHEN EXCLUDED.category IS NOT NULL AND EXCLUDED.corrected_at >= training_examples.corrected_at THEN EXCLUDED.category ELSE COALESCE(training_examples.category, EXCLUDED.category) END,
             priority = CASE WHEN EXCLUDED.priority IS NOT NULL AND EXCLUDED.corrected_at >= training_examples.corrected_at THEN EXCLUDED.priority ELSE COALESCE(training_examples.priority, EXCLUDED.priority) END,
             corrected_by = CASE WHEN EXCLUDED.corrected_at >= training_examples.corrected_at THEN EXCLUDED.corrected_by ELSE training_examples.corrected_by END,
             case_event_id = CASE WHEN EXCLUDED.corrected_at >= training_examples.corrected_at THEN EXCLUDED.case_event_id ELSE training_examples.case_event_id END,
             corrected_at = GREATEST(training_examples.corrected_at, EXCLUDED.corrected_at),
             updated_at = now()`,
          [
            d.complaintId,
            c.text,
            c.subject,
            c.language,
            d.correction?.complaint ?? null,
            d.correction?.category ?? null,
            d.correction?.priority ?? null,
            c.model_version,
            `${d.actor.type}:${d.actor.id}`,
            d.caseEventId,
            d.at,
          ],
        );
        this.logger.info(
          { complaintId: d.complaintId, correctionOf: d.correction, correlationId: envelope.correlationId },
          'correction stored as training example',
        );
      }
    });
    return { rejected };
  }
}
