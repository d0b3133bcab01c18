/**
 * What the brand listens for: its handles (mentions) and keywords, from configuration such as
 * `X_QUERY="@klaxonbank, @klaxonhelp, klaxon bank, #klaxonfail"`.
 */
export interface SocialQuery {
  handles: string[];
  keywords: string[];
}

export class SocialQueryError extends Error {
  readonly code = 'social-query-invalid';
}

export function parseSocialQuery(raw: string): SocialQuery {
  const handles: string[] = [];
  const keywords: string[] = [];
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    if (part.startsWith('@')) {
      const handle = part.slice(1);
      if (!/^[A-Za-z0-9_]{1,15}$/.test(handle))
        throw new SocialQueryError(`"${part}" is not a valid X handle (letters, digits, _; at most 15)`);
      if (!handles.some((h) => h.toLowerCase() === handle.toLowerCase())) handles.push(handle);
    } else {
      if (part.includes('"')) throw new SocialQueryError(`keyword ${part} must not contain double quotes`);
      if (!keywords.some((k) => k.toLowerCase() === part.toLowerCase())) keywords.push(part);
    }
  }
  if (handles.length + keywords.length === 0)
    throw new SocialQueryError('the query names no handle and no keyword');
  return { handles, keywords };
}

/** One term as X's query language writes it: `@handle`, a bare word, or a "quoted phrase". */
function xTerms(q: SocialQuery): string[] {
  return [...q.handles.map((h) => `@${h}`), ...q.keywords.map((k) => (/\s/.test(k) ? `"${k}"` : k))];
}

/** Tags mark the rules Klaxon owns, so rules other apps put on the same account are left alone. */
export const RULE_TAG_PREFIX = 'klaxon:';

export interface StreamRule {
  value: string;
  tag: string;
}

/** One filtered-stream rule per term; reposts are left out (their original is what counts). */
export function xStreamRules(q: SocialQuery): StreamRule[] {
  return xTerms(q).map((t) => ({ value: `${t} -is:retweet`, tag: `${RULE_TAG_PREFIX}${t}` }));
}

/** The recent-search query covering the same posts as the rules (X allows 512 characters). */
export function xSearchQuery(q: SocialQuery): string {
  const terms = xTerms(q);
  const query = `${terms.length > 1 ? `(${terms.join(' OR ')})` : terms[0]} -is:retweet`;
  if (query.length > 512)
    throw new SocialQueryError(`the search query is ${query.length} characters; X allows 512`);
  return query;
}

export interface RuleChanges {
  add: StreamRule[];
  deleteIds: string[];
}

/** What to add and delete so the account's Klaxon rules equal the wanted ones; foreign rules stay. */
export function diffStreamRules(
  current: Array<{ id: string; value: string; tag?: string }>,
  wanted: StreamRule[],
): RuleChanges {
  const ours = current.filter((r) => r.tag?.startsWith(RULE_TAG_PREFIX));
  const deleteIds = ours
    .filter((r) => !wanted.some((w) => w.value === r.value && w.tag === r.tag))
    .map((r) => r.id);
  const add = wanted.filter((w) => !ours.some((r) => r.value === w.value && r.tag === w.tag));
  return { add, deleteIds };
}
