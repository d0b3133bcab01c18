import { Pool } from 'pg';
import { CasesModule } from '@klaxon/cases/feature';
import { ClassificationModule } from '@klaxon/classification/feature';
import { ConsoleModule, ensureConsoleBundle } from '@klaxon/console/feature';
import { IntakeModule } from '@klaxon/intake/feature';
import { loadRuntimeConfig } from '@klaxon/platform/config';
import { connectInfrastructure, startApp, type RunningApp } from '@klaxon/platform/runtime';
import { RoutingModule } from '@klaxon/routing/feature';
import { SlaModule } from '@klaxon/sla/feature';
import { startPostgresCluster, type PostgresCluster } from '@klaxon/testing';
import { waitFor } from '../../support/wait-for';

/** The key with every scope the security tests give the app through API_KEYS (≥ 32 characters). */
export const ADMIN_KEY = 'security-admin-key-0123456789abcdef';
export const READ_KEY = 'security-read-key-0123456789abcdefgh';
const PASSWORD = 'a long enough secret';

/** The people the tests act as: each a member of the demo organisation (executive and admin see every team). */
export const PEOPLE = {
  handler: { role: 'handler', memberId: 'm-service-1' }, // customer-service
  otherHandler: { role: 'handler', memberId: 'm-logistics-1' }, // logistics
  webcare: { role: 'webcare-agent', memberId: 'm-webcare-1' }, // webcare
  senior: { role: 'senior', memberId: 'm-service-senior' }, // customer-service
  lead: { role: 'team-lead', memberId: 'm-lead' }, // leads every demo team
  executive: { role: 'executive', memberId: 'm-exec' },
  admin: { role: 'admin' },
} as const;
export type Person = keyof typeof PEOPLE;

export interface Session {
  cookie: string;
  csrf: string;
}

export interface Answer {
  status: number;
  headers: Headers;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

/** Who calls: an API key, a signed-in person, or nobody. */
export type Caller = { key: string } | { person: Person } | null;

export interface SecurityApp {
  url: string;
  db: Pool;
  running: RunningApp;
  sessions: Record<Person, Session>;
  /** Calls the API as `caller`; JSON bodies unless `raw` says otherwise. */
  call(
    caller: Caller,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer>;
  /** A complaint of `teamId` owned by `ownerId`, from the customer with this e-mail; returns its id and customer id. */
  complaint(
    teamId: string,
    ownerId: string,
    email: string,
    extra?: Record<string, unknown>,
  ): Promise<{ id: string; customerId: string }>;
  stop(): Promise<void>;
}

let seq = 0;

/**
 * The whole Klaxon (every stage the embedded `npm start` runs, without mailboxes and X) on a throwaway
 * PostgreSQL and the in-process bus, with one person per role signed in.
 */
export async function startSecurityApp(env: Record<string, string> = {}): Promise<SecurityApp> {
  const pg: PostgresCluster = await startPostgresCluster();
  const databaseUrl = await pg.createDatabase('security');
  const config = loadRuntimeConfig({
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'silent',
    API_KEYS: `root:${ADMIN_KEY}:*,reader:${READ_KEY}:read`,
    TRUST_PROXY: '127.0.0.1/32',
    // Small limits: every sign-in costs a real scrypt.
    LOGIN_MAX_PER_IP: '4',
    LOGIN_MAX_PER_ACCOUNT: '3',
    LOGIN_MAX_QUEUED: '2',
    ...env,
  });
  const infrastructure = await connectInfrastructure({
    service: 'security',
    config,
    embedded: { dataDir: undefined },
  });
  const running = await startApp({
    service: 'security',
    infrastructure,
    features: [
      IntakeModule,
      ClassificationModule.forRoot({}),
      RoutingModule.forRoot({ queueScanIntervalMs: 0 }),
      SlaModule.forRoot({ scheduler: false }),
      CasesModule,
      ConsoleModule.forRoot({ webRoot: ensureConsoleBundle(), users: [] }),
    ],
    http: { port: 0, host: '127.0.0.1', trustProxy: config.http.trustProxy },
    apiKeys: config.apiKeys,
    loginThrottle: config.login,
  });
  const url = running.url;
  const db = new Pool({ connectionString: databaseUrl, max: 2 });
  db.on('error', () => undefined);
  const sessions = {} as Record<Person, Session>;

  const call: SecurityApp['call'] = async (caller, method, path, body, headers = {}) => {
    const h: Record<string, string> = { ...headers };
    if (caller && 'key' in caller) h.authorization = `Bearer ${caller.key}`;
    if (caller && 'person' in caller) {
      const s = sessions[caller.person];
      h.cookie = s.cookie;
      h['x-csrf-token'] = s.csrf;
    }
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${url}${path}`, { method, headers: h, body: payload });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, headers: res.headers, json, text };
  };

  for (const [person, p] of Object.entries(PEOPLE) as Array<[Person, (typeof PEOPLE)[Person]]>) {
    const email = `${person.toLowerCase()}@security.test`;
    const created = await call({ key: ADMIN_KEY }, 'POST', '/api/users', {
      email,
      name: `The ${person}`,
      role: p.role,
      password: PASSWORD,
      ...('memberId' in p ? { memberId: p.memberId } : {}),
    });
    if (created.status !== 201) throw new Error(`creating ${person}: ${created.status} ${created.text}`);
    const login = await call(null, 'POST', '/api/session', { email, password: PASSWORD });
    if (login.status !== 200) throw new Error(`signing in ${person}: ${login.status} ${login.text}`);
    const cookies = login.headers.getSetCookie().map((c) => c.split(';')[0]);
    sessions[person] = { cookie: cookies.join('; '), csrf: login.json.csrfToken };
  }

  const complaint: SecurityApp['complaint'] = async (teamId, ownerId, email, extra = {}) => {
    const posted = await call({ key: ADMIN_KEY }, 'POST', '/api/complaints', {
      channel: 'web',
      text: `Mijn pakket is voor de derde keer niet bezorgd, dit is echt belachelijk. Ik wil mijn geld terug (${++seq}).`,
      customer: { email, name: 'Eva Jansen', phone: '+31612345678' },
      ...extra,
    });
    if (posted.status !== 202) throw new Error(`posting a complaint: ${posted.status} ${posted.text}`);
    const id = String(posted.json.id);
    const row = await waitFor(
      `${id} routed and linked`,
      async () => {
        // Routed (to someone, or to a team's queue) and linked to its customer.
        const row = (
          await db.query('SELECT owner_id, team_id, customer_id FROM complaints WHERE id = $1', [id])
        ).rows[0];
        return (row?.owner_id || row?.team_id) && row?.customer_id ? row : undefined;
      },
      120_000, // two busy cores: classifier, router and the other stages share them with the tests
    );
    await db.query('UPDATE complaints SET team_id = $2, owner_id = $3 WHERE id = $1', [id, teamId, ownerId]);
    // The tests move complaints by hand: the router's load counts would only grow, until every member is full.
    await db.query('UPDATE team_members SET open_count = 0');
    return { id, customerId: String(row.customer_id) };
  };

  return {
    url,
    db,
    running,
    sessions,
    call,
    complaint,
    stop: async () => {
      await db.end();
      await running.stop();
      await pg.stop();
    },
  };
}
