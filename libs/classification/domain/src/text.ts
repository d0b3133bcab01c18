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
  return withoutReplyNoise(text);
}

// The start of the earlier thread under a reply (Gmail, Outlook, Apple Mail; English and Dutch).
const REPLY_HEADER =
  /^[ \t>]*(?:on\b[^\n]{0,200}\bwrote:|op\b[^\n]{0,200}\b(?:schreef|geschreven)\b[^\n]{0,100}:|-{2,}\s*(?:original message|oorspronkelijk bericht|forwarded message|doorgestuurd bericht)\s*-{2,}|(?:from|van):[^\n]{1,200}\n[ \t]*(?:sent|verzonden|date|datum):)/im;
const SIGNATURE = /\n-- ?\n/;
// A closing formula on a line of its own ("Kind regards,", "Met vriendelijke groet,"): what follows is a name.
const SIGN_OFF =
  /\n[ \t]*(?:kind regards|best regards|warm regards|regards|best wishes|yours sincerely|sincerely|cheers|met vriendelijke groet(?:en)?|vriendelijke groet(?:en)?|mvg|m\.v\.g\.|hoogachtend|groet(?:en|jes)?|gr\.?)[ \t]*,?[ \t]*\n/i;
const DEVICE_LINE =
  /^[ \t]*(?:sent from my|verzonden (?:vanaf|met) mijn|get outlook for|download outlook voor)\b[^\n]*$/gim;
const QUOTED_LINE = /^[ \t]*>[^\n]*$/gm;
const DISCLAIMER =
  /(?:confidential|vertrouwelijk)[\s\S]{0,300}(?:intended|addressee|bestemd|geadresseerde)|(?:intended|bestemd)[\s\S]{0,300}(?:confidential|vertrouwelijk)/i;

/**
 * What the customer wrote now, without what came along: the quoted earlier thread under a reply, a
 * closing formula and the name under it ("Kind regards,\nSam"), a signature after "-- ", "sent from my phone" lines and confidentiality disclaimers. Only cut when
 * some text of their own stays (a bare forward keeps everything).
 */
export function withoutReplyNoise(text: string): string {
  const own = (t: string) => t.replace(/\s+/g, '').length >= 15;
  let out = text;
  const header = REPLY_HEADER.exec(out);
  if (header && own(out.slice(0, header.index))) out = out.slice(0, header.index);
  const signature = SIGNATURE.exec(out);
  if (signature && own(out.slice(0, signature.index))) out = out.slice(0, signature.index);
  const signOff = SIGN_OFF.exec(out);
  if (signOff && own(out.slice(0, signOff.index))) out = out.slice(0, signOff.index);
  if (out.includes('>')) {
    const unquoted = out.replace(QUOTED_LINE, '');
    if (own(unquoted)) out = unquoted;
  }
  out = out.replace(DEVICE_LINE, '');
  if (DISCLAIMER.test(out)) {
    const kept = out
      .split(/\n/)
      .filter((paragraph) => !DISCLAIMER.test(paragraph))
      .join('\n');
    if (own(kept)) out = kept;
  }
  return out;
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
