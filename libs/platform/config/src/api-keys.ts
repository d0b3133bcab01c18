import { z } from 'zod';

/** What an API key may do. `admin` manages API keys; it does not imply the others. */
export const API_KEY_SCOPES = ['submit', 'read', 'act', 'admin'] as const;
export type Scope = (typeof API_KEY_SCOPES)[number];

/** A key given in configuration, created (or updated) at start-up. */
export interface ApiKeySeed {
  name: string;
  key: string;
  scopes: Scope[];
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** At least 32 characters: a configured key must be as hard to guess as a generated one. */
const KEY = /^[A-Za-z0-9._~+/=-]{32,256}$/;

/**
 * `API_KEYS=name:key:scope+scope,name2:key2:scope` — comma-separated entries of name, the key
 * itself and `+`-separated scopes (`submit`, `read`, `act`, `admin`, or `*` for all), e.g.
 * `API_KEYS=website:9f3c...e1:submit,reporting:77ab...c0:read`. Keys are stored hashed.
 */
export function parseApiKeys(spec: string): ApiKeySeed[] {
  const seeds: ApiKeySeed[] = [];
  const problems: string[] = [];
  for (const [i, raw] of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .entries()) {
    const parts = raw.split(':');
    const where = `entry ${i + 1}`;
    if (parts.length !== 3) {
      problems.push(`${where} must be name:key:scopes`);
      continue;
    }
    const [name, key, scopeList] = parts;
    if (!NAME.test(name)) problems.push(`${where}: name must be 1-64 of A-Z a-z 0-9 . _ -`);
    if (!KEY.test(key)) problems.push(`${where} (${name}): key must be 32-256 URL-safe characters`);
    const scopes = scopeList === '*' ? [...API_KEY_SCOPES] : scopeList.split('+').map((s) => s.trim());
    const unknown = scopes.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
    if (unknown.length || !scopes.length)
      problems.push(
        `${where} (${name}): scopes must be ${API_KEY_SCOPES.join('/')} joined by + (or *), got ${scopeList}`,
      );
    if (seeds.some((s) => s.name === name)) problems.push(`${where}: name ${name} given twice`);
    seeds.push({ name, key, scopes: [...new Set(scopes)] as Scope[] });
  }
  if (problems.length) throw new Error(problems.join('; '));
  return seeds;
}

/** The zod type of the API_KEYS variable (never echoes the keys in its error). */
export const apiKeysVar = z.string().transform((spec, ctx) => {
  try {
    return parseApiKeys(spec);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});
