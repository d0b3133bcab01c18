/**
 * Post ids on X (and most networks) are 64-bit numbers sent as decimal strings, so they are
 * compared as integers: "99" < "100". Non-numeric ids fall back to length-then-text order.
 */
export function comparePostIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

export function newestPostId(ids: Array<string | undefined>): string | undefined {
  let best: string | undefined;
  for (const id of ids)
    if (id !== undefined && (best === undefined || comparePostIds(id, best) > 0)) best = id;
  return best;
}
