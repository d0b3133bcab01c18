import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Throughput (npm run bench:pipeline): the router asks, for every batch, which open complaints of a
 * customer were already escalated as a repeat complainant. Without an index on escalation history the
 * planner scanned all of complaint_history for it; escalations are few, so a partial index is small.
 * The foundation's indexes on the identities inside `complaints.customer` go: repeat complainants are
 * found through customer_identities and complaints.customer_id since the router links customers, no
 * query reads them, and every complaint row version (three per complaint) paid for them.
 */
export class PipelinePlans1764000600000 implements MigrationInterface {
  name = 'PipelinePlans1764000600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX complaint_history_escalated_idx ON complaint_history (complaint_id) WHERE kind = 'escalated'`,
    );
    for (const identity of ['email', 'phone', 'number', 'handle'])
      await q.query(`DROP INDEX IF EXISTS complaints_customer_${identity}_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS complaint_history_escalated_idx`);
    await q.query(
      `CREATE INDEX complaints_customer_email_idx ON complaints ((customer->>'email'), received_at) WHERE customer ? 'email'`,
    );
    await q.query(
      `CREATE INDEX complaints_customer_phone_idx ON complaints ((customer->>'phone'), received_at) WHERE customer ? 'phone'`,
    );
    await q.query(
      `CREATE INDEX complaints_customer_number_idx ON complaints ((customer->>'customerNumber'), received_at) WHERE customer ? 'customerNumber'`,
    );
    await q.query(
      `CREATE INDEX complaints_customer_handle_idx ON complaints ((customer->>'handle'), received_at) WHERE customer ? 'handle'`,
    );
  }
}
