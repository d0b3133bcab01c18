import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The conversation with the customer: every outgoing message keeps its idempotency key (it becomes the
 * SMTP Message-ID), who wrote it, how it went out (SMTP, the demo mail catcher, X, or not posted), the
 * id the channel gave it (an X post or DM), and when the send started (recorded before the send, so a
 * crash in between is recognised and never sends twice). X messages are claimed like e-mail.
 */
export class Conversation1764001200000 implements MigrationInterface {
  name = 'Conversation1764001200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customer_messages ADD COLUMN idempotency_key text NOT NULL DEFAULT md5(random()::text || clock_timestamp()::text),
                     ADD COLUMN message_id text, ADD COLUMN "references" text[] NOT NULL DEFAULT '{}', ADD COLUMN author text,
                     ADD COLUMN mode text, ADD COLUMN transport text, ADD COLUMN external_id text, ADD COLUMN sending_at timestamptz`);
    await q.query(
      `CREATE INDEX customer_messages_complaint_idx ON customer_messages (complaint_id, created_at)`,
    );
    await q.query(`DROP INDEX IF EXISTS customer_messages_claim_idx`);
    await q.query(
      `CREATE INDEX customer_messages_claim_idx ON customer_messages (due_at) WHERE channel IN ('email', 'x') AND status IN ('pending', 'sending')`,
    );
    await q.query(
      `CREATE INDEX customer_messages_sent_mail_idx ON customer_messages (sent_at) WHERE transport IN ('mail-catcher', 'x-not-posted')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS customer_messages_sent_mail_idx`);
    await q.query(`DROP INDEX IF EXISTS customer_messages_complaint_idx`);
    await q.query(`DROP INDEX IF EXISTS customer_messages_claim_idx`);
    await q.query(
      `CREATE INDEX customer_messages_claim_idx ON customer_messages (due_at) WHERE channel = 'email' AND status IN ('pending', 'sending')`,
    );
    await q.query(`ALTER TABLE customer_messages DROP COLUMN idempotency_key, DROP COLUMN message_id, DROP COLUMN "references", DROP COLUMN author,
                     DROP COLUMN mode, DROP COLUMN transport, DROP COLUMN external_id, DROP COLUMN sending_at`);
  }
}
