import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Complaint-management work with an owner (router): the follow-up a low CSAT asks of a senior handler,
 * and root-cause reviews and spikes as items someone owns and concludes. A review or spike links its
 * complaints in a table of their own, so the complaints that come in later link to it too.
 */
export class FollowUpsAndRootCauseWork1764001100000 implements MigrationInterface {
  name = 'FollowUpsAndRootCauseWork1764001100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE follow_ups (
        id text PRIMARY KEY,
        complaint_id text NOT NULL,
        kind text NOT NULL DEFAULT 'low-csat',
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed')),
        team_id text,
        owner_id text,
        owner_name text,
        owner_role text,
        reason text NOT NULL,
        csat_score int,
        still_open boolean NOT NULL DEFAULT false,
        opened_at timestamptz NOT NULL,
        assigned_at timestamptz NOT NULL,
        cause_event_id text NOT NULL UNIQUE,
        outcome text,
        note text,
        completed_at timestamptz,
        completed_by text
      )`);
    // One open follow-up per complaint: a second low score while one is open changes nothing.
    await q.query(
      `CREATE UNIQUE INDEX follow_ups_open_idx ON follow_ups (complaint_id) WHERE status = 'open'`,
    );
    await q.query(`CREATE INDEX follow_ups_complaint_idx ON follow_ups (complaint_id, opened_at)`);
    await q.query(`CREATE INDEX follow_ups_owner_idx ON follow_ups (owner_id) WHERE status = 'open'`);

    await q.query(`ALTER TABLE root_cause_items ADD COLUMN unit text, ADD COLUMN team_id text, ADD COLUMN owner_id text,
                     ADD COLUMN owner_name text, ADD COLUMN due_at timestamptz, ADD COLUMN overdue_at timestamptz, ADD COLUMN cause text,
                     ADD COLUMN measure text, ADD COLUMN founded boolean, ADD COLUMN closed_at timestamptz, ADD COLUMN closed_by text,
                     ADD COLUMN close_note text`);
    // One open review per category (and unit, where reviews are counted per unit).
    await q.query(`DROP INDEX root_cause_items_open_review_idx`);
    await q.query(
      `CREATE UNIQUE INDEX root_cause_items_open_review_idx ON root_cause_items (category, coalesce(unit, '')) WHERE kind = 'review' AND status = 'open'`,
    );
    await q.query(
      `CREATE INDEX root_cause_items_due_idx ON root_cause_items (due_at) WHERE status = 'open' AND overdue_at IS NULL`,
    );
    await q.query(`
      CREATE TABLE root_cause_links (
        item_id text NOT NULL REFERENCES root_cause_items (id),
        complaint_id text NOT NULL,
        linked_at timestamptz NOT NULL,
        how text NOT NULL CHECK (how IN ('trigger', 'later')),
        PRIMARY KEY (item_id, complaint_id)
      )`);
    await q.query(`CREATE INDEX root_cause_links_complaint_idx ON root_cause_links (complaint_id)`);
    await q.query(`INSERT INTO root_cause_links (item_id, complaint_id, linked_at, how)
                   SELECT r.id, c.id, r.opened_at, 'trigger' FROM root_cause_items r CROSS JOIN LATERAL jsonb_array_elements_text(r.complaint_ids) AS c(id)
                   ON CONFLICT DO NOTHING`);
    await q.query(`ALTER TABLE root_cause_items DROP COLUMN complaint_ids`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE root_cause_items ADD COLUMN complaint_ids jsonb NOT NULL DEFAULT '[]'::jsonb`);
    await q.query(`UPDATE root_cause_items r SET complaint_ids = l.ids
                     FROM (SELECT item_id, jsonb_agg(complaint_id ORDER BY complaint_id) AS ids FROM root_cause_links GROUP BY item_id) l
                    WHERE l.item_id = r.id`);
    await q.query(`DROP TABLE IF EXISTS root_cause_links`);
    await q.query(`DROP INDEX IF EXISTS root_cause_items_due_idx`);
    await q.query(`DROP INDEX IF EXISTS root_cause_items_open_review_idx`);
    // Per-unit reviews cannot stay open side by side under the per-category index.
    await q.query(
      `UPDATE root_cause_items SET status = 'closed' WHERE kind = 'review' AND status = 'open' AND unit IS NOT NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX root_cause_items_open_review_idx ON root_cause_items (category) WHERE kind = 'review' AND status = 'open'`,
    );
    await q.query(`ALTER TABLE root_cause_items DROP COLUMN unit, DROP COLUMN team_id, DROP COLUMN owner_id, DROP COLUMN owner_name,
                     DROP COLUMN due_at, DROP COLUMN overdue_at, DROP COLUMN cause, DROP COLUMN measure, DROP COLUMN founded,
                     DROP COLUMN closed_at, DROP COLUMN closed_by, DROP COLUMN close_note`);
    await q.query(`DROP TABLE IF EXISTS follow_ups`);
  }
}
