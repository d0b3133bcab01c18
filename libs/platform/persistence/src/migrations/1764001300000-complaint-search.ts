import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full-text search over complaints: a stored tsvector of subject, text and the customer's name, built
 * with the Dutch configuration for Dutch complaints and the English one for the rest (stemming that
 * matches the language the text is in), with a GIN index. Prefix searches on e-mail address and phone
 * digits get expression indexes of their own.
 */
export class ComplaintSearch1764001300000 implements MigrationInterface {
  name = 'ComplaintSearch1764001300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE complaints ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
        to_tsvector(
          CASE WHEN language = 'nl' THEN 'dutch'::regconfig ELSE 'english'::regconfig END,
          coalesce(subject, '') || ' ' || coalesce(text, '') || ' ' || coalesce(customer->>'name', '')
        )
      ) STORED`);
    await q.query(`CREATE INDEX complaints_search_idx ON complaints USING gin (search_document)`);
    // A KLX reference is the start of the id: a prefix search on it.
    await q.query(`CREATE INDEX complaints_id_prefix_idx ON complaints (id text_pattern_ops)`);
    await q.query(
      `CREATE INDEX complaints_search_email_idx ON complaints (lower(customer->>'email') text_pattern_ops)`,
    );
    await q.query(
      `CREATE INDEX complaints_search_phone_idx ON complaints ((regexp_replace(customer->>'phone', '[^0-9]', '', 'g')) text_pattern_ops)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS complaints_search_phone_idx`);
    await q.query(`DROP INDEX IF EXISTS complaints_search_email_idx`);
    await q.query(`DROP INDEX IF EXISTS complaints_id_prefix_idx`);
    await q.query(`DROP INDEX IF EXISTS complaints_search_idx`);
    await q.query(`ALTER TABLE complaints DROP COLUMN IF EXISTS search_document`);
  }
}
