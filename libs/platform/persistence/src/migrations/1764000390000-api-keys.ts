import type { MigrationInterface, QueryRunner } from 'typeorm';

/** API keys (@klaxon/platform/auth): only the sha256 of each key is stored. */
export class ApiKeys1764000390000 implements MigrationInterface {
  name = 'ApiKeys1764000390000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_keys (
        id text PRIMARY KEY,
        name text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        prefix text,
        scopes jsonb NOT NULL,
        source text NOT NULL CHECK (source IN ('api', 'config')),
        created_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        last_used_at timestamptz
      )`);
    await q.query(`CREATE INDEX api_keys_config_name_idx ON api_keys (name) WHERE source = 'config'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_keys`);
  }
}
