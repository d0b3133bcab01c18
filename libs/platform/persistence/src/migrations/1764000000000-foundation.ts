import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The one registration point: complaints with their classification, owner and history; the
 * transactional outbox; the consumers' processed-event records; the organisation; the SLA clocks.
 */
export class Foundation1764000000000 implements MigrationInterface {
  name = 'Foundation1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE complaints (
        id text PRIMARY KEY,
        channel text NOT NULL,
        source_id text NOT NULL,
        status text NOT NULL,
        received_at timestamptz NOT NULL,
        subject text,
        text text NOT NULL,
        customer jsonb NOT NULL DEFAULT '{}'::jsonb,
        customer_picked text,
        unit text,
        channel_meta jsonb,
        language text,
        complaint_label text,
        complaint_probability double precision,
        category text,
        category_probability double precision,
        priority text,
        priority_reasons jsonb,
        why jsonb,
        sentiment double precision,
        reputational_risk boolean,
        model_version text,
        classified_at timestamptz,
        owner_id text,
        owner_name text,
        team_id text,
        assignment_reason jsonb,
        assigned_at timestamptz,
        correlation_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX complaints_received_at_idx ON complaints (received_at DESC, id)`);
    await q.query(`CREATE INDEX complaints_channel_idx ON complaints (channel, received_at DESC)`);
    await q.query(`CREATE INDEX complaints_status_idx ON complaints (status, received_at DESC)`);
    await q.query(`CREATE INDEX complaints_category_idx ON complaints (category, received_at DESC)`);
    await q.query(`CREATE INDEX complaints_owner_idx ON complaints (owner_id) WHERE owner_id IS NOT NULL`);
    // Repeat complainants are counted across channels by any identity in common.
    await q.query(
      `CREATE INDEX complaints_customer_email_idx ON complaints ((customer->>'email'), received_at) WHERE customer ? 'email'`,
    );
    await q.query(
      `CREATE INDEX complaints_customer_phone_idx ON complaints ((customer->>'phone'), received_at) WHERE customer ? 'phone'`,
    );
    await q.query(
      `CREATE INDEX complaints_customer_number_idx ON complaints ((customer->>'customerNumber'), received_at) WHERE customer ? 'customerNumber'`,
    );
    await q.query(
      `CREATE INDEX complaints_customer_handle_idx ON complaints ((customer->>'handle'), received_at) WHERE customer ? 'handle'`,
    );

    await q.query(`
      CREATE TABLE complaint_history (
        id bigserial PRIMARY KEY,
        complaint_id text NOT NULL,
        at timestamptz NOT NULL,
        kind text NOT NULL,
        actor text NOT NULL,
        reason text,
        data jsonb,
        event_id text NOT NULL,
        correlation_id text,
        CONSTRAINT complaint_history_once UNIQUE (complaint_id, kind, event_id)
      )`);
    await q.query(`CREATE INDEX complaint_history_complaint_idx ON complaint_history (complaint_id, at, id)`);

    await q.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        key text NOT NULL,
        value bytea NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE processed_events (
        consumer text NOT NULL,
        event_id text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);

    await q.query(`
      CREATE TABLE teams (
        id text PRIMARY KEY,
        name text NOT NULL,
        lead_id text
      )`);
    await q.query(`
      CREATE TABLE team_members (
        id text PRIMARY KEY,
        team_id text NOT NULL REFERENCES teams (id),
        name text NOT NULL,
        email text,
        role text NOT NULL,
        skills jsonb NOT NULL DEFAULT '{}'::jsonb,
        capacity int NOT NULL,
        open_count int NOT NULL DEFAULT 0,
        last_assigned_at timestamptz,
        active boolean NOT NULL DEFAULT true
      )`);
    await q.query(`CREATE INDEX team_members_team_idx ON team_members (team_id)`);

    await q.query(`
      CREATE TABLE sla_clocks (
        id bigserial PRIMARY KEY,
        complaint_id text NOT NULL,
        clock text NOT NULL,
        policy text,
        started_at timestamptz NOT NULL,
        deadline timestamptz NOT NULL,
        warn_at timestamptz NOT NULL,
        status text NOT NULL,
        warned_at timestamptz,
        met_at timestamptz,
        breached_at timestamptz,
        owner_id text,
        team_id text,
        CONSTRAINT sla_clocks_once UNIQUE (complaint_id, clock)
      )`);
    // The scheduler scans only running clocks by the time they fall due.
    await q.query(`CREATE INDEX sla_clocks_due_idx ON sla_clocks (deadline) WHERE status = 'running'`);
    await q.query(
      `CREATE INDEX sla_clocks_warn_idx ON sla_clocks (warn_at) WHERE status = 'running' AND warned_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'sla_clocks',
      'team_members',
      'teams',
      'processed_events',
      'outbox',
      'complaint_history',
      'complaints',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
