import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Social ingest (@klaxon/ingest-social): per network and query, the newest post id up to which
 * every post is on the bus. Advanced only after the bus acknowledged, so a restart neither loses
 * nor repeats posts.
 */
export class SocialCheckpoints1764000370000 implements MigrationInterface {
  name = 'SocialCheckpoints1764000370000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE social_checkpoints (
        network text NOT NULL,
        source_key text NOT NULL,
        newest_post_id text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (network, source_key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE social_checkpoints`);
  }
}
