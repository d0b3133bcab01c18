import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email ingest (@klaxon/ingest-email): per mailbox the last UID whose message is on the bus
 * (advanced only after the bus acknowledged, so a restart catches up without loss), and one row per
 * message handled — its source id (dedupe), Message-ID (threading replies), what became of it
 * (complaint, reply, auto-reply, bounce, duplicate, dead-letter) and why.
 */
export class EmailIngest1764000350000 implements MigrationInterface {
  name = 'EmailIngest1764000350000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE email_mailbox_state (
        mailbox text PRIMARY KEY,
        uid_validity text NOT NULL,
        last_uid bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE email_messages (
        source_id text PRIMARY KEY,
        mailbox text NOT NULL,
        uid_validity text NOT NULL,
        uid bigint NOT NULL,
        message_id text,
        complaint_id text,
        disposition text NOT NULL,
        reason text,
        size integer,
        received_at timestamptz,
        processed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX email_messages_message_id_idx ON email_messages (message_id) WHERE message_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX email_messages_complaint_idx ON email_messages (complaint_id text_pattern_ops) WHERE complaint_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX email_messages_disposition_idx ON email_messages (disposition, processed_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE email_messages`);
    await q.query(`DROP TABLE email_mailbox_state`);
  }
}
