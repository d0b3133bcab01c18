import fc from 'fast-check';
import { detectAutomated, toComplaintReceived } from '@klaxon/ingest-email/domain';
import { parseMail, UnparseableMailError } from '@klaxon/ingest-email/feature';
import { nastyString } from './support/arbitrary';

// Issue #16, item 5: the e-mail parser under SECURITY_FUZZ_RUNS generated messages (100,000 in
// `npm run security`): it parses or refuses as unparseable, never crashes, takes at most a second,
// and what it makes a complaint of can be stored.
jest.setTimeout(3_600_000);

const RUNS = Number(process.env.SECURITY_FUZZ_RUNS ?? 3000);
const SEED = process.env.SECURITY_FUZZ_SEED ? Number(process.env.SECURITY_FUZZ_SEED) : undefined;
const location = { mailbox: 'fuzz@example.nl/INBOX', uidValidity: '1', uid: 1 };

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Where a value holds text PostgreSQL cannot store (U+0000) or UTF-8 cannot carry (a lone surrogate); null if nowhere. */
function unstorable(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') || LONE_SURROGATE.test(value) ? path : null;
  if (!value || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    const found = unstorable(v, path ? `${path}.${k}` : k);
    if (found !== null) return found;
  }
  return null;
}

/** A raw message: headers (some of them nasty) and a body, as bytes, sometimes plain garbage. */
const rawMail = (): fc.Arbitrary<Buffer> => {
  const headerName = fc.constantFrom(
    'From',
    'To',
    'Cc',
    'Subject',
    'Date',
    'Message-ID',
    'In-Reply-To',
    'References',
    'Content-Type',
    'Content-Transfer-Encoding',
    'Auto-Submitted',
    'Return-Path',
    'X-Weird',
  );
  const headerValue = fc.oneof(
    nastyString(),
    fc.constantFrom(
      '"Eva \u0000 Jansen" <eva@example.nl>',
      '=?utf-8?B?AAAA?=',
      '=?utf-8?Q?=00=FF?=',
      'multipart/mixed; boundary="b"',
      'multipart/report; report-type=delivery-status',
      'text/html; charset=x-unknown',
      'base64',
      'quoted-printable',
      '<a@b> <c@d> <',
      'Mon, 99 Foo 2026 99:99:99 +9999',
    ),
  );
  const structured = fc
    .tuple(
      fc.array(fc.tuple(headerName, headerValue), { maxLength: 8 }),
      fc.oneof(
        nastyString(),
        fc.constantFrom(
          '--b\r\nContent-Type: text/plain\r\n\r\nhoi\u0000\r\n--b--',
          '=00=FF=\r\n',
          'AAAA////',
        ),
      ),
    )
    .map(([headers, body]) =>
      Buffer.from(`${headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`),
    );
  return fc.oneof(
    structured,
    fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
  );
};

/** Parses and maps one raw message; throws when it crashes or yields what cannot be stored, and returns the time taken. */
async function run(raw: Buffer): Promise<number> {
  const started = performance.now();
  let mail;
  try {
    mail = await parseMail(raw);
  } catch (error) {
    if (error instanceof UnparseableMailError) return performance.now() - started;
    throw error;
  }
  detectAutomated(mail);
  const received = toComplaintReceived(mail, location, new Date());
  // What becomes a complaint must be storable: PostgreSQL takes no U+0000, UTF-8 no lone surrogate.
  const bad = unstorable(received);
  if (bad !== null) throw new Error(`unstorable text at ${bad}`);
  return performance.now() - started;
}

/** One message: no crash, storable, within a second (timed twice when slow: a busy machine's pause is no slow input). */
async function check(raw: Buffer): Promise<void> {
  if ((await run(raw)) <= 1000) return;
  const again = await run(raw);
  if (again > 1000) throw new Error(`took ${Math.round(again)} ms`);
}

it('stores no U+0000 from an encoded sender name (found by the fuzzer)', async () => {
  await expect(check(Buffer.from('From: =?utf-8?Q?=00=FF?=\r\n\r\nhoi\u0000\r\n'))).resolves.toBeUndefined();
  await expect(
    check(Buffer.from('From: =?utf-8?Q?Eva=00?= <eva@example.nl>\r\nSubject: =?utf-8?Q?a=00b?=\r\n\r\nhoi')),
  ).resolves.toBeUndefined();
});

it(`parses ${RUNS} generated messages or refuses them as unparseable, each within a second, storable`, async () => {
  await fc.assert(fc.asyncProperty(rawMail(), check), { numRuns: RUNS, seed: SEED });
});
