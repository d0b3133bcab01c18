import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Small sla settings store: the fingerprint of the SLA policies and calendar the open clocks were computed with. */
export class SlaSettings1764000200001 implements MigrationInterface {
  name = 'SlaSettings1764000200001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE sla_settings (key text PRIMARY KEY, value text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS sla_settings`);
  }
}
