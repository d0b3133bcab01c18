import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE } from '@klaxon/platform/persistence';
import { hashPassword, verifyPassword } from './password';
import type { Principal } from './principal';
import { ROLE_SCOPES, type UserRole } from './roles';

export interface UserSeed {
  email: string;
  name: string;
  role: UserRole;
  password: string;
  /** The team member this person is in the organisation (their own team and the teams they lead follow from it). */
  memberId?: string;
  /** Teams besides the member's own and those they lead. */
  teamIds?: string[];
}

export interface UserRecord {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  memberId: string | null;
  teamIds: string[];
}

export interface LoginPolicy {
  /** Failed attempts in a row before the account locks. */
  maxFailures: number;
  lockMs: number;
  sessionTtlMs: number;
}
export const DEFAULT_LOGIN_POLICY: LoginPolicy = {
  maxFailures: 5,
  lockMs: 15 * 60_000,
  sessionTtlMs: 12 * 3600_000,
};

export type LoginResult =
  | { ok: true; user: UserRecord; token: string; csrfToken: string; expiresAt: Date }
  | { ok: false; reason: 'invalid-credentials' | 'locked'; lockedUntil?: Date };

type Row = Record<string, unknown>;
const rowsOf = (result: unknown): Row[] =>
  (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as Row[];
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');
/** Compared against when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password. */
let dummyHash: Promise<string> | null = null;

/** Console users in PostgreSQL (passwords as scrypt hashes) and their sessions (only a token's sha256 is stored). */
@Injectable()
export class UserStore {
  policy: LoginPolicy = DEFAULT_LOGIN_POLICY;
  private readonly cache = new Map<string, { principal: Principal; csrf: string; until: number }>();
  cacheTtlMs = 2_000;
  /** Password checks done by sign-ins (each sign-in does exactly one, whatever its outcome: the same time for all). */
  passwordChecks = 0;

  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  /** Creates the users that do not exist yet (by e-mail); existing ones keep their password. */
  async seed(seeds: UserSeed[]): Promise<void> {
    const existing = new Set(
      ((await this.dataSource.query('SELECT email FROM users')) as Row[]).map((r) => String(r.email)),
    );
    const fresh = seeds.filter((s) => !existing.has(s.email.toLowerCase()));
    const hashes = await Promise.all(fresh.map((s) => hashPassword(s.password)));
    for (const [i, s] of fresh.entries()) {
      await this.dataSource.query(
        `INSERT INTO users (id, email, name, role, member_id, team_ids, password_hash, source) VALUES ($1, $2, $3, $4, $5, $6, $7, 'seed') ON CONFLICT (email) DO NOTHING`,
        [
          `usr_${randomBytes(10).toString('hex')}`,
          s.email.toLowerCase(),
          s.name,
          s.role,
          s.memberId ?? null,
          JSON.stringify(s.teamIds ?? []),
          hashes[i],
        ],
      );
    }
  }

  /** A new person (admin API); 409-worthy `null` when the e-mail is taken. */
  async create(seed: UserSeed): Promise<UserRecord | null> {
    const hash = await hashPassword(seed.password);
    const rows = rowsOf(
      await this.dataSource.query(
        `INSERT INTO users (id, email, name, role, member_id, team_ids, password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (email) DO NOTHING RETURNING *`,
        [
          `usr_${randomBytes(10).toString('hex')}`,
          seed.email.trim().toLowerCase(),
          seed.name,
          seed.role,
          seed.memberId ?? null,
          JSON.stringify(seed.teamIds ?? []),
          hash,
        ],
      ),
    );
    return rows[0] ? this.toRecord(rows[0]) : null;
  }

  async list(): Promise<Array<UserRecord & { lockedUntil: string | null; disabled: boolean }>> {
    const rows = (await this.dataSource.query('SELECT * FROM users ORDER BY email')) as Row[];
    const out = [];
    for (const r of rows)
      out.push({
        ...(await this.toRecord(r)),
        lockedUntil: r.locked_until ? new Date(String(r.locked_until)).toISOString() : null,
        disabled: Boolean(r.disabled),
      });
    return out;
  }

  /** Disables (signs out everywhere) or re-enables a person, and lifts a lock-out; their e-mail, or null when there is no such user. */
  async setDisabled(id: string, disabled: boolean): Promise<string | null> {
    const rows = rowsOf(
      await this.dataSource.query(
        'UPDATE users SET disabled = $2, failed_attempts = 0, locked_until = NULL WHERE id = $1 RETURNING id, email',
        [id, disabled],
      ),
    );
    if (disabled) {
      await this.dataSource.query('DELETE FROM user_sessions WHERE user_id = $1', [id]);
      this.cache.clear();
    }
    return rows[0] ? String(rows[0].email) : null;
  }

  /** Checks the password; counts failures and locks the account after `maxFailures` in a row. */
  async login(email: string, password: string, now = new Date()): Promise<LoginResult> {
    const [row] = (await this.dataSource.query('SELECT * FROM users WHERE email = $1 AND NOT disabled', [
      email.trim().toLowerCase(),
    ])) as Row[];
    if (!row) {
      await this.verify(password, await (dummyHash ??= hashPassword('not-a-password')));
      return { ok: false, reason: 'invalid-credentials' };
    }
    const lockedUntil = row.locked_until ? new Date(String(row.locked_until)) : null;
    // A locked account checks the password too (and ignores it): it takes as long as a wrong one.
    const valid = await this.verify(password, String(row.password_hash));
    if (lockedUntil && lockedUntil > now) return { ok: false, reason: 'locked', lockedUntil };
    if (!valid) {
      const [updated] = rowsOf(
        await this.dataSource.query(
          `UPDATE users SET failed_attempts = CASE WHEN locked_until IS NOT NULL AND locked_until <= $2 THEN 1 ELSE failed_attempts + 1 END,
                            locked_until = CASE WHEN (CASE WHEN locked_until IS NOT NULL AND locked_until <= $2 THEN 1 ELSE failed_attempts + 1 END) >= $3 THEN $4::timestamptz ELSE NULL END
           WHERE id = $1 RETURNING failed_attempts, locked_until`,
          [row.id, now, this.policy.maxFailures, new Date(now.getTime() + this.policy.lockMs)],
        ),
      );
      if (updated?.locked_until)
        return { ok: false, reason: 'locked', lockedUntil: new Date(String(updated.locked_until)) };
      return { ok: false, reason: 'invalid-credentials' };
    }
    await this.dataSource.query(
      'UPDATE users SET failed_attempts = 0, locked_until = NULL, last_login_at = $2 WHERE id = $1',
      [row.id, now],
    );
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.policy.sessionTtlMs);
    await this.dataSource.query(
      'INSERT INTO user_sessions (token_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)',
      [hashToken(token), row.id, csrfToken, expiresAt],
    );
    return { ok: true, user: await this.toRecord(row), token, csrfToken, expiresAt };
  }

  private verify(password: string, hash: string): Promise<boolean> {
    this.passwordChecks++;
    return verifyPassword(password, hash);
  }

  async logout(token: string): Promise<void> {
    const hash = hashToken(token);
    this.cache.delete(hash);
    await this.dataSource.query('DELETE FROM user_sessions WHERE token_hash = $1', [hash]);
  }

  /** The principal and CSRF token of a live session, or null. */
  async session(token: string): Promise<{ principal: Principal; csrfToken: string } | null> {
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now()) return { principal: cached.principal, csrfToken: cached.csrf };
    const [row] = (await this.dataSource.query(
      `SELECT u.*, s.csrf_token, s.token_hash FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT u.disabled`,
      [hash],
    )) as Row[];
    if (!row || !timingSafeEqual(Buffer.from(String(row.token_hash), 'hex'), Buffer.from(hash, 'hex'))) {
      this.cache.delete(hash);
      return null;
    }
    const user = await this.toRecord(row);
    const principal: Principal = {
      kind: 'user',
      id: user.id,
      name: user.name,
      scopes: ROLE_SCOPES[user.role],
      role: user.role,
      teamIds: user.teamIds,
      ...(user.memberId ? { memberId: user.memberId } : {}),
      email: user.email,
    };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal, csrf: String(row.csrf_token), until: Date.now() + this.cacheTtlMs });
    return { principal, csrfToken: String(row.csrf_token) };
  }

  /** The user's teams: given ones, the member's own team, and every team the member leads. */
  private async toRecord(row: Row): Promise<UserRecord> {
    const memberId = (row.member_id as string | null) ?? null;
    const teamIds = new Set(json<string[]>(row.team_ids) ?? []);
    if (memberId) {
      const teams = (await this.dataSource.query(
        `SELECT team_id AS id FROM team_members WHERE id = $1 UNION SELECT id FROM teams WHERE lead_id = $1`,
        [memberId],
      )) as Row[];
      for (const t of teams) teamIds.add(String(t.id));
    }
    return {
      id: String(row.id),
      email: String(row.email),
      name: String(row.name),
      role: row.role as UserRole,
      memberId,
      teamIds: [...teamIds].sort(),
    };
  }
}
