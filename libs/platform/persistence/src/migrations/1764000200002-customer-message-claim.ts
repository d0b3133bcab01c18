import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Customer messages being sent keep their lease in `due_at`, so one partial index serves the claim. */
export class CustomerMessageClaim1764000200002 implements MigrationInterface {
  name = 'CustomerMessageClaim1764000200002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS customer_messages_due_idx`);
    await q.query(
      `CREATE INDEX customer_messages_claim_idx ON customer_messages (due_at) WHERE channel = 'email' AND status IN ('pending', 'sending')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS customer_messages_claim_idx`);
    await q.query(
      `CREATE INDEX customer_messages_due_idx ON customer_messages (due_at) WHERE status = 'pending'`,
    );
  }
}
