const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  euro: '€',
  eacute: 'é',
  egrave: 'è',
  euml: 'ë',
  iuml: 'ï',
  ouml: 'ö',
  uuml: 'ü',
  auml: 'ä',
  aacute: 'á',
  oacute: 'ó',
  ccedil: 'ç',
  szlig: 'ß',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  copy: '©',
  reg: '®',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code =
        body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
        ? String.fromCodePoint(code)
        : '';
    }
    return ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/**
 * HTML → plain text that is safe to show anywhere: scripts, styles, comments and every tag are
 * gone, entities decoded, block elements become line breaks. The result contains no markup that a
 * browser would execute, even after entity decoding (`&lt;script&gt;` stays inert text).
 */
export function htmlToSafeText(html: string): string {
  let s = html;
  s = s.replace(/<!--[\s\S]*?(-->|$)/g, ' ');
  s = s.replace(
    /<(script|style|head|title|noscript|template|iframe|object|svg|math)\b[\s\S]*?(<\/\1\s*>|$)/gi,
    ' ',
  );
  s = s.replace(/<br\s*\/?>/gi, '\n');
  s = s.replace(
    /<\/?(p|div|li|ul|ol|tr|table|h[1-6]|blockquote|pre|section|article|header|footer)\b[^>]*>/gi,
    '\n',
  );
  s = s.replace(/<\/?[a-z!?/][^>]*>/gi, ' ');
  s = decodeEntities(s);
  return normaliseText(neutraliseMarkup(s));
}

/** Makes tag-like text inert (`<script>` → `‹script>`) so no later HTML context can run it. */
export function neutraliseMarkup(text: string): string {
  return text.replace(/<(?=[a-z/!?])/gi, '‹');
}

/**
 * Drops control characters other than tab and newline, and unpaired surrogates (PostgreSQL stores no
 * U+0000 and UTF-8 carries no lone surrogate: either would fail the mail's storing for good).
 */
export function stripControls(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if ((c < 32 && c !== 9 && c !== 10) || c === 127) continue;
    if (ch.length === 1 && c >= 0xd800 && c <= 0xdfff) continue;
    out += ch;
  }
  return out;
}

/** Trims trailing spaces, collapses runs of blank lines and strips control characters. */
export function normaliseText(text: string): string {
  return stripControls(text.replace(/\r\n?/g, '\n'))
    .replace(/[ \t\u00a0]+/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
