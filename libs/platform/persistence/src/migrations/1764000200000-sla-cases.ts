import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SLA and case handling: paused clocks, escalation ladder steps, customer messages (acknowledgement,
 * replies, CSAT requests), outgoing webhooks with their deliveries, team SLA targets, and the case
 * fields the KPIs read.
 */
export class SlaCases1764000200000 implements MigrationInterface {
  name = 'SlaCases1764000200000';

  async up(q: QueryRunner): Promise<void> {
    // A paused clock has no deadline until the customer answers.
    await q.query(
      `ALTER TABLE sla_clocks ALTER COLUMN deadline DROP NOT NULL, ALTER COLUMN warn_at DROP NOT NULL`,
    );
    await q.query(`ALTER TABLE sla_clocks ADD COLUMN time_basis text NOT NULL DEFAULT 'working', ADD COLUMN at_risk boolean NOT NULL DEFAULT false,
                     ADD COLUMN at_risk_reason text, ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);
    await q.query(`CREATE INDEX sla_clocks_status_deadline_idx ON sla_clocks (status, deadline)`);
    await q.query(`CREATE INDEX sla_clocks_team_idx ON sla_clocks (team_id, clock, started_at)`);

    await q.query(`
      CREATE TABLE sla_escalations (
        id bigserial PRIMARY KEY,
        complaint_id text NOT NULL,
        clock text NOT NULL,
        level text NOT NULL,
        due_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        reason text NOT NULL,
        fired_at timestamptz,
        owner_id text,
        team_id text,
        CONSTRAINT sla_escalations_once UNIQUE (complaint_id, clock, level)
      )`);
    await q.query(
      `CREATE INDEX sla_escalations_due_idx ON sla_escalations (due_at) WHERE status = 'pending'`,
    );

    await q.query(`
      CREATE TABLE customer_messages (
        id bigserial PRIMARY KEY,
        complaint_id text NOT NULL,
        kind text NOT NULL,
        dedupe_key text NOT NULL,
        channel text NOT NULL,
        language text NOT NULL,
        recipient text,
        subject text NOT NULL,
        body text NOT NULL,
        in_reply_to text,
        due_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        attempts int NOT NULL DEFAULT 0,
        lease_until timestamptz,
        last_error text,
        sent_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT customer_messages_once UNIQUE (complaint_id, kind, dedupe_key)
      )`);
    await q.query(
      `CREATE INDEX customer_messages_due_idx ON customer_messages (due_at) WHERE status = 'pending'`,
    );

    await q.query(`
      CREATE TABLE webhook_subscriptions (
        id text PRIMARY KEY,
        url text NOT NULL,
        secret text NOT NULL,
        events text[] NOT NULL DEFAULT '{}',
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id bigserial PRIMARY KEY,
        subscription_id text NOT NULL REFERENCES webhook_subscriptions (id),
        event_id text NOT NULL,
        event_type text NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        last_status_code int,
        last_error text,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT webhook_deliveries_once UNIQUE (subscription_id, event_id)
      )`);
    await q.query(
      `CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
    );

    await q.query(`ALTER TABLE teams ADD COLUMN sla_target double precision NOT NULL DEFAULT 0.9`);
    await q.query(`
      CREATE TABLE sla_team_alerts (
        team_id text NOT NULL,
        period text NOT NULL,
        share double precision NOT NULL,
        target double precision NOT NULL,
        fired_at timestamptz NOT NULL,
        PRIMARY KEY (team_id, period)
      )`);

    await q.query(`ALTER TABLE complaints ADD COLUMN founded boolean, ADD COLUMN resolution text, ADD COLUMN resolved_at timestamptz,
                     ADD COLUMN acknowledged_at timestamptz, ADD COLUMN first_response_at timestamptz, ADD COLUMN csat_score int, ADD COLUMN csat_comment text,
                     ADD COLUMN closed_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE complaints DROP COLUMN founded, DROP COLUMN resolution, DROP COLUMN resolved_at, DROP COLUMN acknowledged_at,
                     DROP COLUMN first_response_at, DROP COLUMN csat_score, DROP COLUMN csat_comment, DROP COLUMN closed_at`);
    for (const t of [
      'sla_team_alerts',
      'webhook_deliveries',
      'webhook_subscriptions',
      'customer_messages',
      'sla_escalations',
    ])
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    await q.query(`ALTER TABLE teams DROP COLUMN sla_target`);
    await q.query(`DROP INDEX IF EXISTS sla_clocks_status_deadline_idx`);
    await q.query(`DROP INDEX IF EXISTS sla_clocks_team_idx`);
    await q.query(
      `ALTER TABLE sla_clocks DROP COLUMN time_basis, DROP COLUMN at_risk, DROP COLUMN at_risk_reason, DROP COLUMN updated_at`,
    );
  }
}
