import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reliability: `processed_events` is pruned by age (ProcessedEventsPruner), so the age needs an index;
 * the outbox sets aside a row that keeps failing to publish (its attempts, last error and when it was
 * set aside), instead of stalling every batch that contains it.
 */
export class ProcessedEventsPruning1764000700000 implements MigrationInterface {
  name = 'ProcessedEventsPruning1764000700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX IF NOT EXISTS processed_events_processed_at ON processed_events (processed_at)`,
    );
    await q.query(`
      ALTER TABLE outbox
        ADD COLUMN attempts integer NOT NULL DEFAULT 0,
        ADD COLUMN last_error text,
        ADD COLUMN parked_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox DROP COLUMN attempts, DROP COLUMN last_error, DROP COLUMN parked_at`);
    await q.query(`DROP INDEX IF EXISTS processed_events_processed_at`);
  }
}
