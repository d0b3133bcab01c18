import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

// Which stage writes which table (and, on the shared `complaints` table, which column). The README's
// "Data ownership" table says the same in words; this test reads every lib's SQL and fails when a lib
// writes a table or column it does not own. `alsoWrittenBy` is declared debt: writes by another stage
// that should become an event to the owner — do not add to it without a reason in the README.

type Lib = string; // `cases`, `routing`, `platform/persistence`, ...

interface Ownership {
  owner: Lib;
  alsoWrittenBy?: Lib[];
}

export const TABLE_OWNERS: Record<string, Ownership> = {
  // The one registration path (registerComplaints) creates rows; columns are owned below.
  complaints: { owner: 'platform/persistence', alsoWrittenBy: ['classification'] },
  complaint_history: { owner: 'platform/persistence' },
  outbox: { owner: 'platform/persistence' },
  processed_events: { owner: 'platform/persistence' },
  dead_letter_replays: { owner: 'platform/persistence' },
  access_log: { owner: 'platform/auth' },
  api_keys: { owner: 'platform/auth' },
  users: { owner: 'platform/auth' },
  user_sessions: { owner: 'platform/auth' },
  email_mailbox_state: { owner: 'ingest-email' },
  email_messages: { owner: 'ingest-email' },
  social_checkpoints: { owner: 'ingest-social' },
  training_examples: { owner: 'classification' },
  teams: { owner: 'routing' },
  team_members: { owner: 'routing' },
  member_absences: { owner: 'routing' },
  routing_rule_sets: { owner: 'routing' },
  customers: { owner: 'routing' },
  customer_identities: { owner: 'routing' },
  customer_links: { owner: 'routing' },
  follow_ups: { owner: 'routing' },
  root_cause_items: { owner: 'routing' },
  root_cause_links: { owner: 'routing' },
  sla_clocks: { owner: 'sla' },
  sla_escalations: { owner: 'sla' },
  sla_settings: { owner: 'sla' },
  sla_team_alerts: { owner: 'sla' },
  webhook_deliveries: { owner: 'sla' },
  webhook_subscriptions: { owner: 'sla' },
  customer_messages: { owner: 'sla', alsoWrittenBy: ['cases'] },
};

const CLASSIFICATION = [
  'language',
  'complaint_label',
  'complaint_probability',
  'category',
  'category_probability',
  'priority',
  'priority_reasons',
  'why',
  'sentiment',
  'reputational_risk',
  'model_version',
  'classified_at',
];
const columns = (owner: Lib, names: string[], alsoWrittenBy?: Lib[]): Record<string, Ownership> =>
  Object.fromEntries(names.map((n) => [n, { owner, alsoWrittenBy }]));

/** Columns of `complaints` that an UPDATE may set, by owner. */
export const COMPLAINT_COLUMN_OWNERS: Record<string, Ownership> = {
  ...columns('classification', CLASSIFICATION),
  // A person's correction (cases) and a promoted signal (routing) overrule the classifier's label.
  ...columns('classification', ['category', 'priority', 'complaint_label'], ['cases', 'routing']),
  ...columns('routing', [
    'team_id',
    'assignment_reason',
    'last_owner_id',
    'required_authority',
    'customer_id',
  ]),
  ...columns('routing', ['dismissed_at']),
  // A hand-back (cases) clears the owner for the router to choose again.
  ...columns('routing', ['owner_id', 'owner_name', 'assigned_at'], ['cases']),
  ...columns('cases', ['first_response_at', 'founded', 'resolution']),
  // The customer's answer within the reopen window reopens a resolved complaint (sla, on the messages topic).
  ...columns('cases', ['resolved_at', 'closed_at'], ['sla']),
  ...columns('cases', ['csat_score', 'csat_comment']),
  // The acknowledgement the sla stage sends, or a handler's `acknowledge` action (cases).
  ...columns('sla', ['acknowledged_at'], ['cases']),
  // The lifecycle: each stage moves it for the event it handles (received → classified/signal →
  // queued/assigned → acknowledged → resolved/closed).
  status: { owner: 'platform/persistence', alsoWrittenBy: ['classification', 'routing', 'cases', 'sla'] },
  updated_at: { owner: 'platform/persistence', alsoWrittenBy: ['classification', 'routing', 'cases', 'sla'] },
};

const root = path.resolve(__dirname, '..');

/** `libs/routing/feature/src/x.ts` → `routing`; `libs/platform/persistence/src/x.ts` → `platform/persistence`. */
function libOf(file: string): Lib {
  const parts = path.relative(path.join(root, 'libs'), file).split(path.sep);
  return parts[0] === 'platform' ? `platform/${parts[1]}` : parts[0];
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      // Migrations create the schema; test kits and the testing lib seed data for tests.
      if (!['migrations', 'testing', 'node_modules'].includes(name)) out.push(...sourceFiles(full));
    } else if (name.endsWith('.ts') && !name.endsWith('.spec.ts')) {
      out.push(full);
    }
  }
  return out;
}

interface Write {
  lib: Lib;
  file: string;
  table: string;
  columns: string[];
}

/** The tables (and the columns an UPDATE of `complaints` sets) each statement in `text` writes. */
export function writesIn(text: string): Array<{ table: string; columns: string[] }> {
  const found: Array<{ table: string; columns: string[] }> = [];
  for (const m of text.matchAll(/\b(INSERT INTO|UPDATE|DELETE FROM)\s+([a-z_]+)/g)) {
    const table = m[2];
    let cols: string[] = [];
    if (m[1] === 'UPDATE') {
      const rest = text.slice(m.index! + m[0].length);
      const set = /^\s*(?:[a-z]\s+)?SET\s+([\s\S]*?)(?:\bWHERE\b|\bFROM\b|\bRETURNING\b|`)/.exec(rest);
      if (set) {
        cols = [...set[1].matchAll(/\b([a-z_]+)\s*=(?!=)/g)].map((c) => c[1]);
        // A SET assembled at run time: the columns are the ones the code pushes or `set(...)`s.
        if (set[1].includes('${'))
          cols.push(
            ...[...text.matchAll(/\bset\('([a-z_]+)'/g)].map((c) => c[1]),
            ...[...text.matchAll(/sets\.push\(([^)]*)\)/g)].flatMap((p) =>
              [...p[1].matchAll(/'([a-z_]+)\s*=/g)].map((c) => c[1]),
            ),
          );
      }
    }
    found.push({ table, columns: [...new Set(cols)] });
  }
  return found;
}

function allWrites(): Write[] {
  return sourceFiles(path.join(root, 'libs')).flatMap((file) =>
    writesIn(readFileSync(file, 'utf8')).map((w) => ({ lib: libOf(file), file, ...w })),
  );
}

const may = (o: Ownership | undefined, lib: Lib) =>
  !!o && (o.owner === lib || !!o.alsoWrittenBy?.includes(lib));

describe('data ownership', () => {
  const writes = allWrites();

  it('finds the SQL it checks (the scanner sees the writes of every stage)', () => {
    const libs = new Set(writes.map((w) => w.lib));
    for (const lib of ['ingest-email', 'ingest-social', 'classification', 'routing', 'sla', 'cases'])
      expect({ lib, writes: libs.has(lib) }).toEqual({ lib, writes: true });
    expect(writes.some((w) => w.table === 'complaints' && w.lib === 'platform/persistence')).toBe(true);
  });

  it('every table written by a lib is owned by it (or declared as its debt)', () => {
    const foreign = writes
      .filter((w) => !may(TABLE_OWNERS[w.table], w.lib))
      .filter((w) => !(w.table === 'complaints' && w.columns.length > 0))
      .map((w) => `${path.relative(root, w.file)}: ${w.lib} writes ${w.table}`);
    expect(foreign).toEqual([]);
  });

  it('every column of complaints an UPDATE sets belongs to the stage that sets it', () => {
    const foreign = writes
      .filter((w) => w.table === 'complaints')
      .flatMap((w) =>
        w.columns
          .filter((c) => !may(COMPLAINT_COLUMN_OWNERS[c], w.lib))
          .map((c) => `${path.relative(root, w.file)}: ${w.lib} sets complaints.${c}`),
      );
    expect(foreign).toEqual([]);
  });

  it('registers complaints in one place: only the registration path inserts complaint rows', () => {
    const inserting = writes.filter((w) => w.table === 'complaints' && w.columns.length === 0);
    expect([...new Set(inserting.map((w) => path.relative(root, w.file)))].sort()).toEqual([
      // The classifier's upsert still creates a row for an event of a producer older than the one path.
      'libs/classification/feature/src/classify-complaints.service.ts',
      'libs/platform/persistence/src/complaint-registration.ts',
    ]);
  });

  it('fails on a stage writing another stage’s table or column', () => {
    const sql =
      "UPDATE sla_clocks SET status = 'met' WHERE id = $1; UPDATE complaints SET owner_id = NULL WHERE id = $1";
    const found = writesIn(sql);
    expect(found).toEqual([
      { table: 'sla_clocks', columns: ['status'] },
      { table: 'complaints', columns: ['owner_id'] },
    ]);
    expect(may(TABLE_OWNERS.sla_clocks, 'routing')).toBe(false);
    expect(may(COMPLAINT_COLUMN_OWNERS.owner_id, 'sla')).toBe(false);
  });
});
