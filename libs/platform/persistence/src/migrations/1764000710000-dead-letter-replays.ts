import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the dead-letter tool (`npm run dlq -- replay`) put back on a topic: one row per original
 * message (topic, partition, offset), so a replay is done once however often it is asked for, and an
 * operator can see who replayed what, when, and why it had failed.
 */
export class DeadLetterReplays1764000710000 implements MigrationInterface {
  name = 'DeadLetterReplays1764000710000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE dead_letter_replays (
        original_topic text NOT NULL,
        original_partition int NOT NULL,
        original_offset bigint NOT NULL,
        consumer_group text NOT NULL,
        message_key text,
        error_code text NOT NULL,
        dead_lettered_at timestamptz NOT NULL,
        dead_letter_partition int NOT NULL,
        dead_letter_offset bigint NOT NULL,
        replayed_at timestamptz NOT NULL DEFAULT now(),
        replayed_by text NOT NULL,
        PRIMARY KEY (original_topic, original_partition, original_offset)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dead_letter_replays`);
  }
}
