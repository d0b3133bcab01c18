import { Controller, Get, Injectable, type OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { loadRuntimeConfig } from '@klaxon/platform/config';
import {
  CurrentPrincipal,
  PrincipalResolvers,
  RequireScope,
  hashKey,
  unauthenticated,
  type AuthRequest,
  type Principal,
  type PrincipalResolver,
} from '@klaxon/platform/auth';
import { startPostgresCluster, type PostgresCluster } from '@klaxon/testing';
import { connectInfrastructure } from './infrastructure';
import { startApp, type RunningApp } from './start-app';

// Every app gets authentication from the runtime: the guard, the key API and the seeding from
// API_KEYS, here in a real app on a real PostgreSQL.
jest.setTimeout(60_000);

@Controller('t')
class ProbeController {
  @Get('public')
  open(): { ok: true } {
    return { ok: true };
  }

  @Get('read')
  @RequireScope('read')
  read(@CurrentPrincipal() p: Principal): Principal {
    return p;
  }

  @Get('act-or-admin')
  @RequireScope('act', 'admin')
  act(): { ok: true } {
    return { ok: true };
  }
}

/** How the console plugs in its signed-in users: another resolver, registered beside the API keys. */
@Injectable()
class SessionResolver implements PrincipalResolver, OnModuleInit {
  readonly name = 'test-session';
  constructor(private readonly resolvers: PrincipalResolvers) {}
  onModuleInit(): void {
    this.resolvers.register(this);
  }
  async resolve(request: AuthRequest): Promise<Principal | null> {
    const session = /(?:^|;\s*)session=([^;]+)/.exec(String(request.headers.cookie ?? ''))?.[1];
    if (!session) return null;
    if (session !== 'alice-session') throw unauthenticated('This session has expired');
    return {
      kind: 'user',
      id: 'u-alice',
      name: 'Alice',
      scopes: ['read', 'act'],
      role: 'team-lead',
      teamIds: ['t-webcare'],
    };
  }
}

let pg: PostgresCluster;
let db: Client;
let running: RunningApp;
let url: string;

async function start(databaseUrl: string, env: Record<string, string>): Promise<RunningApp> {
  const config = loadRuntimeConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', ...env });
  const infrastructure = await connectInfrastructure({
    service: 'auth-test',
    config,
    embedded: { dataDir: undefined },
  });
  return startApp({
    service: 'auth-test',
    infrastructure,
    features: [
      { module: class ProbeModule {}, controllers: [ProbeController], providers: [SessionResolver] },
    ],
    http: { port: 0, host: '127.0.0.1' },
    apiKeys: config.apiKeys,
    relayOutbox: false,
  });
}

const call = async (method: string, path: string, key?: string, body?: unknown) => {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(key !== undefined ? { authorization: `Bearer ${key}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
};

beforeAll(async () => {
  pg = await startPostgresCluster();
  const databaseUrl = await pg.createDatabase('auth');
  running = await start(databaseUrl, {
    API_KEYS:
      'root:root-key-0123456789-0123456789abcdef:submit+read+admin, reader:reader-key-0123456789-0123456789abcdef:read',
  });
  url = running.url;
  db = new Client({ connectionString: databaseUrl });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await running?.stop();
  await pg?.stop();
});

it('leaves routes without @RequireScope public', async () => {
  expect(await call('GET', '/t/public')).toEqual({ status: 200, json: { ok: true } });
  expect((await call('GET', '/health/live')).status).toBe(200);
});

it('answers 401 unauthenticated without a key, with a malformed header, or with an unknown key', async () => {
  const unauthenticated = { error: { code: 'unauthenticated', message: expect.any(String) } };
  expect(await call('GET', '/t/read')).toEqual({ status: 401, json: unauthenticated });
  expect(await call('GET', '/t/read', 'no-such-key')).toEqual({ status: 401, json: unauthenticated });
  const basic = await fetch(`${url}/t/read`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
  expect(basic.status).toBe(401);
});

it('seeds keys from API_KEYS, stores only their hash, and hands the principal to the route', async () => {
  expect(await call('GET', '/t/read', 'reader-key-0123456789-0123456789abcdef')).toEqual({
    status: 200,
    json: { kind: 'api-key', id: expect.any(String), name: 'reader', scopes: ['read'] },
  });
  const { rows } = await db.query(`SELECT name, key_hash, source FROM api_keys ORDER BY name`);
  expect(rows).toEqual([
    { name: 'reader', key_hash: hashKey('reader-key-0123456789-0123456789abcdef'), source: 'config' },
    { name: 'root', key_hash: hashKey('root-key-0123456789-0123456789abcdef'), source: 'config' },
  ]);
  const everything = JSON.stringify((await db.query('SELECT * FROM api_keys')).rows);
  expect(everything).not.toContain('reader-key-0123456789-0123456789abcdef');
});

it('answers 403 forbidden when the key lacks the scope; any one of several scopes is enough', async () => {
  expect(await call('GET', '/t/act-or-admin', 'reader-key-0123456789-0123456789abcdef')).toEqual({
    status: 403,
    json: { error: { code: 'forbidden', message: expect.stringContaining('act or admin') } },
  });
  expect((await call('GET', '/t/act-or-admin', 'root-key-0123456789-0123456789abcdef')).status).toBe(200);
  expect((await call('GET', '/api/api-keys', 'reader-key-0123456789-0123456789abcdef')).status).toBe(403);
});

it('creates a key that works at once, lists keys without revealing them, and revokes it', async () => {
  const created = await call('POST', '/api/api-keys', 'root-key-0123456789-0123456789abcdef', {
    name: 'website',
    scopes: ['submit', 'read'],
  });
  expect(created).toEqual({
    status: 201,
    json: expect.objectContaining({
      id: expect.any(String),
      name: 'website',
      scopes: ['submit', 'read'],
      source: 'api',
      key: expect.stringMatching(/^klx_[A-Za-z0-9_-]{43}$/),
      revokedAt: null,
    }),
  });
  const key = String(created.json!.key);
  expect(await call('GET', '/t/read', key)).toMatchObject({
    status: 200,
    json: { name: 'website', scopes: ['submit', 'read'] },
  });

  const listed = await call('GET', '/api/api-keys', 'root-key-0123456789-0123456789abcdef');
  expect(listed.status).toBe(200);
  expect(listed.json!.total).toBe(3);
  expect(JSON.stringify(listed.json)).not.toContain(key);

  expect(
    await call('DELETE', `/api/api-keys/${created.json!.id}`, 'root-key-0123456789-0123456789abcdef'),
  ).toEqual({
    status: 204,
    json: null,
  });
  expect(await call('GET', '/t/read', key)).toMatchObject({
    status: 401,
    json: { error: { code: 'unauthenticated' } },
  });
  expect((await call('GET', '/api/api-keys', 'root-key-0123456789-0123456789abcdef')).json!.total).toBe(2);
  expect(
    (await call('GET', '/api/api-keys?includeRevoked=true', 'root-key-0123456789-0123456789abcdef')).json!
      .total,
  ).toBe(3);
  expect(
    await call('DELETE', '/api/api-keys/key_nope', 'root-key-0123456789-0123456789abcdef'),
  ).toMatchObject({
    status: 404,
    json: { error: { code: 'not-found' } },
  });
});

it('takes another kind of principal from a resolver a module registers (console sessions)', async () => {
  const withCookie = (cookie: string) => fetch(`${url}/t/read`, { headers: { cookie } });
  const res = await withCookie('theme=dark; session=alice-session');
  expect({ status: res.status, json: await res.json() }).toEqual({
    status: 200,
    json: {
      kind: 'user',
      id: 'u-alice',
      name: 'Alice',
      scopes: ['read', 'act'],
      role: 'team-lead',
      teamIds: ['t-webcare'],
    },
  });
  const expired = await withCookie('session=bob-old');
  expect({ status: expired.status, json: await expired.json() }).toEqual({
    status: 401,
    json: { error: { code: 'unauthenticated', message: 'This session has expired' } },
  });
  expect((await fetch(`${url}/api/api-keys`, { headers: { cookie: 'session=alice-session' } })).status).toBe(
    403,
  );
});

it('refuses a bad key request with a 400 naming the field', async () => {
  expect(
    await call('POST', '/api/api-keys', 'root-key-0123456789-0123456789abcdef', {
      name: 'x',
      scopes: ['fly'],
    }),
  ).toMatchObject({ status: 400, json: { error: { code: 'invalid-field', field: 'scopes.0' } } });
  expect(
    await call('POST', '/api/api-keys', 'root-key-0123456789-0123456789abcdef', {
      name: 'x',
      scopes: ['read'],
      owner: 'me',
    }),
  ).toMatchObject({ status: 400, json: { error: { code: 'unknown-field', field: 'owner' } } });
});

it('rotating a configured key (new value in API_KEYS, restart) revokes the old one', async () => {
  const databaseUrl = await pg.createDatabase('auth_restart');
  let app = await start(databaseUrl, { API_KEYS: 'ops:ops-key-aaaaaaaa-0123456789abcdef0123:read+admin' });
  url = app.url;
  const list = await call('GET', '/api/api-keys', 'ops-key-aaaaaaaa-0123456789abcdef0123');
  expect(list.json!.items).toEqual([
    expect.objectContaining({ name: 'ops', scopes: ['read', 'admin'], source: 'config', prefix: null }),
  ]);
  await app.stop();

  app = await start(databaseUrl, { API_KEYS: 'ops:ops-key-bbbbbbbb-0123456789abcdef0123:read+admin' });
  url = app.url;
  expect((await call('GET', '/t/read', 'ops-key-bbbbbbbb-0123456789abcdef0123')).status).toBe(200);
  expect((await call('GET', '/t/read', 'ops-key-aaaaaaaa-0123456789abcdef0123')).status).toBe(401);
  await app.stop();
  url = running.url;
});
