import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The router's organisation and memory: members' hours, time zone, authority and per-channel
 * capacity; absences with a replacement; versioned routing rules; customers linked from their
 * identities with the evidence of every link; root-cause reviews and spikes per category.
 */
export class RoutingOrganisation1764000100000 implements MigrationInterface {
  name = 'RoutingOrganisation1764000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE teams ADD COLUMN unit text, ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`,
    );
    await q.query(`
      ALTER TABLE team_members
        ADD COLUMN time_zone text NOT NULL DEFAULT 'Europe/Amsterdam',
        ADD COLUMN working_hours jsonb NOT NULL DEFAULT '{}'::jsonb,
        ADD COLUMN authority jsonb NOT NULL DEFAULT '{"maxCompensation": 0}'::jsonb,
        ADD COLUMN capacity_by_channel jsonb,
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);
    await q.query(
      `CREATE UNIQUE INDEX team_members_email_team_idx ON team_members (lower(email), team_id) WHERE email IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE member_absences (
        id text PRIMARY KEY,
        member_id text NOT NULL REFERENCES team_members (id) ON DELETE CASCADE,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        replacement_id text REFERENCES team_members (id),
        reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (ends_at > starts_at)
      )`);
    await q.query(`CREATE INDEX member_absences_member_idx ON member_absences (member_id, ends_at)`);

    // Every save of the rules is a new version; the highest version is in force.
    await q.query(`
      CREATE TABLE routing_rule_sets (
        version int PRIMARY KEY,
        rules jsonb NOT NULL,
        default_team_id text NOT NULL REFERENCES teams (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        note text
      )`);

    // What the router needs to route (and re-route) a complaint later; a dismissed signal stays a signal, marked;
    // last_owner_id survives a hand-back that clears owner_id, until the router has given it to someone else.
    await q.query(
      `ALTER TABLE complaints ADD COLUMN customer_id text, ADD COLUMN required_authority int NOT NULL DEFAULT 0, ADD COLUMN dismissed_at timestamptz, ADD COLUMN last_owner_id text`,
    );
    await q.query(
      `CREATE INDEX complaints_customer_idx ON complaints (customer_id, received_at) WHERE customer_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX complaints_queue_idx ON complaints (team_id, received_at) WHERE status = 'queued' AND owner_id IS NULL`,
    );

    await q.query(
      `CREATE TABLE customers (id text PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now())`,
    );
    await q.query(`
      CREATE TABLE customer_identities (
        kind text NOT NULL,
        value text NOT NULL,
        customer_id text NOT NULL REFERENCES customers (id),
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (kind, value)
      )`);
    await q.query(`CREATE INDEX customer_identities_customer_idx ON customer_identities (customer_id)`);
    // The evidence: this complaint carried this identity, which made it this customer's.
    await q.query(`
      CREATE TABLE customer_links (
        id text PRIMARY KEY,
        customer_id text NOT NULL REFERENCES customers (id),
        complaint_id text NOT NULL,
        kind text NOT NULL,
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        undone_at timestamptz,
        undone_by text,
        UNIQUE (complaint_id, kind, value)
      )`);
    await q.query(`CREATE INDEX customer_links_customer_idx ON customer_links (customer_id)`);
    await q.query(
      `CREATE INDEX customer_links_identity_idx ON customer_links (kind, value) WHERE undone_at IS NULL`,
    );

    await q.query(`
      CREATE TABLE root_cause_items (
        id text PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('review', 'spike')),
        category text NOT NULL,
        status text NOT NULL DEFAULT 'open',
        opened_at timestamptz NOT NULL,
        window_start timestamptz NOT NULL,
        complaint_count int NOT NULL,
        expected double precision,
        complaint_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
        reason text NOT NULL
      )`);
    await q.query(
      `CREATE UNIQUE INDEX root_cause_items_open_review_idx ON root_cause_items (category) WHERE kind = 'review' AND status = 'open'`,
    );
    await q.query(
      `CREATE INDEX root_cause_items_category_idx ON root_cause_items (category, kind, opened_at DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'root_cause_items',
      'customer_links',
      'customer_identities',
      'customers',
      'routing_rule_sets',
      'member_absences',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`DROP INDEX IF EXISTS complaints_queue_idx`);
    await q.query(`DROP INDEX IF EXISTS complaints_customer_idx`);
    await q.query(
      `ALTER TABLE complaints DROP COLUMN customer_id, DROP COLUMN required_authority, DROP COLUMN dismissed_at, DROP COLUMN last_owner_id`,
    );
    await q.query(`DROP INDEX IF EXISTS team_members_email_team_idx`);
    await q.query(
      `ALTER TABLE team_members DROP COLUMN time_zone, DROP COLUMN working_hours, DROP COLUMN authority, DROP COLUMN capacity_by_channel, DROP COLUMN updated_at`,
    );
    await q.query(`ALTER TABLE teams DROP COLUMN unit, DROP COLUMN updated_at`);
  }
}
