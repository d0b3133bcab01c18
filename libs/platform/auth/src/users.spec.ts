import { hashPassword, verifyPassword } from './password';
import type { Principal } from './principal';
import { mayAccessTeam, ROLE_SCOPES, teamFilterOf } from './roles';
import { parseCookies } from './session.resolver';

const FAST = { N: 2 ** 10, r: 8, p: 1 };

describe('passwords', () => {
  it('hashes with scrypt and a salt of its own, and verifies only the right password', async () => {
    const a = await hashPassword('correct horse', FAST);
    const b = await hashPassword('correct horse', FAST);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct horse');
    await expect(verifyPassword('correct horse', a)).resolves.toBe(true);
    await expect(verifyPassword('correct horsE', a)).resolves.toBe(false);
    await expect(verifyPassword('correct horse', 'plain')).resolves.toBe(false);
    await expect(verifyPassword('x', 'scrypt$99999999$8$1$a$b')).resolves.toBe(false);
  });

  it('uses OWASP’s scrypt parameters by default', async () => {
    expect(await hashPassword('x')).toMatch(/^scrypt\$131072\$8\$1\$/);
  });
});

describe('roles', () => {
  const handler: Principal = {
    kind: 'user',
    id: 'u',
    name: 'n',
    scopes: ROLE_SCOPES.handler,
    role: 'handler',
    teamIds: ['billing'],
  };
  it('limits people to their teams; executives, admins and API keys see every team', () => {
    expect(teamFilterOf(handler)).toEqual(['billing']);
    expect(mayAccessTeam(handler, 'billing')).toBe(true);
    expect(mayAccessTeam(handler, 'logistics')).toBe(false);
    expect(mayAccessTeam(handler, null)).toBe(false);
    expect(mayAccessTeam({ ...handler, role: 'executive', teamIds: [] }, 'logistics')).toBe(true);
    expect(mayAccessTeam({ ...handler, role: 'admin', teamIds: [] }, null)).toBe(true);
    expect(mayAccessTeam({ kind: 'api-key', id: 'k', name: 'k', scopes: ['read'] }, 'logistics')).toBe(true);
    expect(teamFilterOf(undefined)).toEqual([]);
  });

  it('gives executives no right to act and only admins the admin scope', () => {
    expect(ROLE_SCOPES.executive).toEqual(['read']);
    expect(
      Object.entries(ROLE_SCOPES)
        .filter(([, s]) => s.includes('admin'))
        .map(([r]) => r),
    ).toEqual(['admin']);
  });
});

describe('cookies', () => {
  it('reads the first value of each cookie and tolerates junk', () => {
    expect(parseCookies('a=1; klaxon_session=abc%3D; a=2; junk; =x')).toEqual({
      a: '1',
      klaxon_session: 'abc=',
    });
    expect(parseCookies(undefined)).toEqual({});
    expect(parseCookies(['x=%E0%A4%A', 'y=2'])).toEqual({ x: '%E0%A4%A', y: '2' });
  });
});
