import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { ApiKeySeed } from '@klaxon/platform/config';
import { DATA_SOURCE } from '@klaxon/platform/persistence';
import type { Principal, Scope } from './principal';

export interface ApiKeyRecord {
  id: string;
  name: string;
  scopes: Scope[];
  /** The first characters of a generated key, to recognise it; null for keys from configuration. */
  prefix: string | null;
  source: 'api' | 'config';
  createdAt: string;
  createdBy: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

type Row = Record<string, unknown>;
const iso = (v: unknown) =>
  v === null || v === undefined ? null : (v instanceof Date ? v : new Date(String(v))).toISOString();
const scopesOf = (v: unknown): Scope[] => (typeof v === 'string' ? JSON.parse(v) : v) as Scope[];

/** sha256 of a key: keys are high-entropy, so a fast hash is enough; the key itself is never stored. */
export const hashKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

function toRecord(r: Row): ApiKeyRecord {
  return {
    id: String(r.id),
    name: String(r.name),
    scopes: scopesOf(r.scopes),
    prefix: (r.prefix as string | null) ?? null,
    source: r.source as ApiKeyRecord['source'],
    createdAt: iso(r.created_at)!,
    createdBy: (r.created_by as string | null) ?? null,
    revokedAt: iso(r.revoked_at),
    lastUsedAt: iso(r.last_used_at),
  };
}

/** API keys in PostgreSQL (table api_keys), stored as sha256 hashes. */
@Injectable()
export class ApiKeyStore {
  private readonly cache = new Map<string, { principal: Principal; until: number }>();
  cacheTtlMs = 5_000;

  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  /** A new random key; the answer is the only time the key itself is seen. */
  async create(
    name: string,
    scopes: Scope[],
    createdBy: string | null,
  ): Promise<ApiKeyRecord & { key: string }> {
    const key = `klx_${randomBytes(32).toString('base64url')}`;
    const [row] = (await this.dataSource.query(
      `INSERT INTO api_keys (id, name, key_hash, prefix, scopes, source, created_by) VALUES ($1, $2, $3, $4, $5, 'api', $6) RETURNING *`,
      [
        `key_${randomUUID().replace(/-/g, '')}`,
        name,
        hashKey(key),
        key.slice(0, 10),
        JSON.stringify(scopes),
        createdBy,
      ],
    )) as Row[];
    return { ...toRecord(row), key };
  }

  async list(includeRevoked: boolean): Promise<ApiKeyRecord[]> {
    const rows = (await this.dataSource.query(
      `SELECT * FROM api_keys ${includeRevoked ? '' : 'WHERE revoked_at IS NULL'} ORDER BY created_at, id`,
    )) as Row[];
    return rows.map(toRecord);
  }

  /** Revokes a key (idempotent); false when there is no such key. */
  async revoke(id: string): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING key_hash`,
      [id],
    )) as unknown;
    const returned = (Array.isArray(rows) && Array.isArray(rows[0]) ? rows[0] : rows) as Row[];
    for (const r of returned) this.cache.delete(String(r.key_hash));
    return returned.length > 0;
  }

  /**
   * Creates the configured keys, or updates name and scopes of one that exists. A configured key
   * replaces an earlier configured key of the same name (rotation: change the value, restart).
   * A revoked key stays revoked.
   */
  async seed(seeds: ApiKeySeed[]): Promise<void> {
    if (!seeds.length) return;
    await this.dataSource.transaction(async (m) => {
      // Replicas starting together seed the same keys: one at a time, or the second insert of a key
      // can hit the primary key (not the key_hash ON CONFLICT covers) and fail the start.
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('klaxon:api-key-seed'))`);
      for (const s of seeds) {
        const hash = hashKey(s.key);
        await m.query(
          `INSERT INTO api_keys (id, name, key_hash, prefix, scopes, source) VALUES ($1, $2, $3, NULL, $4, 'config')
           ON CONFLICT (key_hash) DO UPDATE SET name = excluded.name, scopes = excluded.scopes`,
          [`key_cfg_${hash.slice(0, 24)}`, s.name, hash, JSON.stringify(s.scopes)],
        );
        await m.query(
          `UPDATE api_keys SET revoked_at = now() WHERE source = 'config' AND name = $1 AND key_hash <> $2 AND revoked_at IS NULL`,
          [s.name, hash],
        );
      }
    });
  }

  /** The principal for a presented key, or null when it is unknown or revoked. */
  async principalFor(key: string): Promise<Principal | null> {
    const hash = hashKey(key);
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.principal;
    const rows = (await this.dataSource.query(
      `UPDATE api_keys SET last_used_at = now() WHERE key_hash = $1 AND revoked_at IS NULL RETURNING id, name, scopes, key_hash`,
      [hash],
    )) as unknown;
    const [row] = (Array.isArray(rows) && Array.isArray(rows[0]) ? rows[0] : rows) as Row[];
    // The lookup is by hash; compare the stored hash in constant time all the same.
    if (!row || !timingSafeEqual(Buffer.from(String(row.key_hash), 'hex'), Buffer.from(hash, 'hex'))) {
      this.cache.delete(hash);
      return null;
    }
    const principal: Principal = {
      kind: 'api-key',
      id: String(row.id),
      name: String(row.name),
      scopes: scopesOf(row.scopes),
    };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal, until: Date.now() + this.cacheTtlMs });
    return principal;
  }
}
