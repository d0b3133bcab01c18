/** Bounds: whatever arrives, the classifier looks at no more than this. */
export const MAX_CHARS = 60_000;
export const MAX_TOKENS = 2_500;

const ENTITIES: Record<string, string> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  euro: '€',
  eacute: 'é',
  egrave: 'è',
  euml: 'ë',
  iuml: 'ï',
  ouml: 'ö',
  uuml: 'ü',
  auml: 'ä',
  ccedil: 'ç',
};

/**
 * Plain, lowercased text without HTML remnants or diacritics, cut to MAX_CHARS.
 * "Één keer te laat" and "een keer te laat" end up the same.
 */
export function normalizeText(raw: string): string {
  return foldText(plainText(raw));
}

/** The text without HTML remnants (tags, scripts, styles, entities), cut to MAX_CHARS. */
export function plainText(raw: string): string {
  let text = raw.length > MAX_CHARS ? raw.slice(0, MAX_CHARS) : raw;
  if (text.includes('<') || text.includes('&')) {
    text = text
      .replace(/<(script|style)\b[^>]{0,500}>[\s\S]{0,20000}?<\/\1\s*>/gi, ' ')
      .replace(/<\/?[a-z!][^<>]{0,500}>/gi, ' ')
      .replace(/&(#x?[0-9a-f]{1,6}|[a-z]{2,8});/gi, (m, e: string) => {
        if (e[0] === '#') {
          const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
          return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
        }
        return ENTITIES[e.toLowerCase()] ?? m;
      });
  }
  return text;
}

/** Lowercased, diacritics and typographic quotes folded away. */
export function foldText(plain: string): string {
  return plain
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[’‘`´]/g, "'");
}

const TOKEN =
  /https?:\/\/\S+|www\.\S+|@[a-z0-9_]+|[#]?[\p{L}\p{N}](?:[\p{L}\p{N}_]|['-](?=[\p{L}\p{N}]))*|\p{Extended_Pictographic}|[!?€]/gu;

/**
 * Tokens of normalized text: words (a leading # dropped), `_url`, `_user`, `_num`, emoji, ! ? €.
 * At most `max` tokens, so a 1 MB text costs no more than a long email.
 */
export function tokenize(normalized: string, max = MAX_TOKENS): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (out.length < max && (m = TOKEN.exec(normalized)) !== null) {
    const t = m[0];
    const c = t.charCodeAt(0);
    if (c === 104 /* h */ && (t.startsWith('http://') || t.startsWith('https://'))) out.push('_url');
    else if (c === 119 /* w */ && t.startsWith('www.')) out.push('_url');
    else if (c === 64 /* @ */) out.push('_user');
    else if (c === 35 /* # */) out.push(t.slice(1));
    else if (c >= 48 && c <= 57 && /^[0-9][0-9.,:-]*$/.test(t)) out.push(t.length <= 2 ? t : '_num');
    else out.push(t);
  }
  return out;
}
