import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Throughput (npm run bench:pipeline): the router asks, for every batch, which open complaints of a
 * customer were already escalated as a repeat complainant. Without an index on escalation history the
 * planner scanned all of complaint_history for it; escalations are few, so a partial index is small.
 */
export class PipelinePlans1764000600000 implements MigrationInterface {
  name = 'PipelinePlans1764000600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX complaint_history_escalated_idx ON complaint_history (complaint_id) WHERE kind = 'escalated'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS complaint_history_escalated_idx`);
  }
}
