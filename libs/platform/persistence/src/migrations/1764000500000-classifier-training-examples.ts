import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Classifier (@klaxon/classification/feature): handlers' corrections kept as training examples, one
 * row per complaint (a later correction of another label merges in). Exported as training JSONL by
 * `npm run classifier -- export-corrections` / `retrain`.
 */
export class ClassifierTrainingExamples1764000500000 implements MigrationInterface {
  name = 'ClassifierTrainingExamples1764000500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE training_examples (
        id bigserial PRIMARY KEY,
        complaint_id text NOT NULL UNIQUE,
        text text NOT NULL,
        subject text,
        language text,
        complaint text CHECK (complaint IN ('explicit', 'latent', 'none')),
        category text,
        priority text CHECK (priority IN ('critical', 'high', 'normal')),
        model_version text,
        corrected_by text NOT NULL,
        case_event_id text NOT NULL,
        corrected_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE training_examples`);
  }
}
