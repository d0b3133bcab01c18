import { simpleParser, type AddressObject, type HeaderValue, type ParsedMail } from 'mailparser';
import { messageIdList, normaliseMessageId, type IncomingMail } from '@klaxon/ingest-email/domain';

export class UnparseableMailError extends Error {
  readonly code = 'unparseable-mail';
  constructor(message: string) {
    super(message);
    this.name = 'UnparseableMailError';
  }
}

const addresses = (a: AddressObject | AddressObject[] | undefined): number =>
  (Array.isArray(a) ? a : a ? [a] : []).reduce(
    (n, o) => n + o.value.reduce((m, v) => m + (v.group ? v.group.length : 1), 0),
    0,
  );

function headerText(value: HeaderValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value))
    return value.map((v) => (typeof v === 'string' ? v : (v as { value: string }).value)).join(', ');
  if (typeof value === 'object' && 'text' in value) return (value as AddressObject).text;
  if (typeof value === 'object' && 'value' in value) {
    const params = Object.entries((value as { params?: Record<string, string> }).params ?? {}).map(
      ([k, v]) => `; ${k}=${v}`,
    );
    return `${(value as { value: string }).value}${params.join('')}`;
  }
  return String(value);
}

/** Headers the domain looks at, raw from the header lines (no decoding surprises). */
const RAW_HEADERS = new Set([
  'auto-submitted',
  'x-autoreply',
  'x-autorespond',
  'x-autoresponder',
  'x-auto-response-suppress',
  'precedence',
  'return-path',
  'content-type',
]);

/** True when the message has a text/plain part (or no Content-Type at all, which means text/plain). */
function hasTextPart(source: Buffer): boolean {
  const head = source.subarray(0, 2 * 1024 * 1024).toString('latin1');
  const headerEnd = head.search(/\r?\n\r?\n/);
  const topHeaders = headerEnd >= 0 ? head.slice(0, headerEnd) : head;
  if (!/^content-type:/im.test(topHeaders)) return true;
  return /^content-type:\s*text\/plain/im.test(head);
}

/**
 * Parses raw RFC 5322 bytes with mailparser (a real MIME parser: RFC 2047 words, quoted-printable,
 * base64, charsets through iconv-lite). Attachment contents are only measured, never kept.
 * Throws UnparseableMailError for input the parser cannot make sense of at all.
 */
export async function parseMail(source: Buffer): Promise<IncomingMail> {
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(source, {
      skipImageLinks: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      maxHtmlLengthToParse: 5 * 1024 * 1024,
    });
  } catch (error) {
    throw new UnparseableMailError(`MIME parser failed: ${(error as Error).message}`);
  }
  const headers: Record<string, string> = {};
  for (const line of parsed.headerLines) {
    const key = line.key.toLowerCase();
    if (!RAW_HEADERS.has(key) || headers[key] !== undefined) continue;
    headers[key] = line.line
      .slice(line.line.indexOf(':') + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
  }
  const from = parsed.from?.value[0];
  const references = messageIdList(parsed.references as string | string[] | undefined);
  const inReplyTo = messageIdList(headerText(parsed.headers.get('in-reply-to')))[0];
  const contentType = headerText(parsed.headers.get('content-type'));
  return {
    messageId: normaliseMessageId(parsed.messageId),
    ...(inReplyTo ? { inReplyTo } : {}),
    references,
    subject: parsed.subject,
    from: from ? { name: from.name || undefined, address: from.address || undefined } : undefined,
    recipientCount: addresses(parsed.to) + addresses(parsed.cc) + addresses(parsed.bcc),
    date: parsed.date,
    // mailparser derives `text` from the HTML when there is no text part; we make HTML safe ourselves.
    text: hasTextPart(source) ? parsed.text : undefined,
    html: typeof parsed.html === 'string' ? parsed.html : undefined,
    headers,
    contentType,
    attachments: parsed.attachments.map((a) => ({
      ...(a.filename ? { filename: a.filename } : {}),
      contentType: a.contentType || 'application/octet-stream',
      size: a.size ?? a.content?.length ?? 0,
    })),
  };
}
