const UNSTORABLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** `<abc@host>` → `abc@host`: one canonical form for storing and matching Message-IDs. */
export function normaliseMessageId(raw: string | undefined | null): string | undefined {
  if (!raw) return undefined;
  const trimmed = raw.trim();
  const bracketed = /<([^<>\s]+)>/.exec(trimmed);
  const id = (bracketed ? bracketed[1] : trimmed.split(/\s+/)[0]).trim();
  // A control character or an unpaired surrogate (U+0000 included) makes no id to store or match on.
  if (!id || id.length > 900 || UNSTORABLE.test(id)) return undefined;
  return id;
}

/** A References / In-Reply-To header value → its Message-IDs, in order, without duplicates. */
export function messageIdList(raw: string | string[] | undefined | null): string[] {
  if (!raw) return [];
  const text = Array.isArray(raw) ? raw.join(' ') : raw;
  const found = [...text.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]);
  const ids = found.length ? found : text.split(/[\s,]+/).filter(Boolean);
  return [
    ...new Set(ids.map((id) => normaliseMessageId(id)).filter((id): id is string => Boolean(id))),
  ].slice(0, 100);
}
