import { complaintIdFor } from '@klaxon/contracts';
import {
  complaintIdPrefixFor,
  detectAutomated,
  findReference,
  htmlToSafeText,
  messageIdList,
  normaliseMessageId,
  referenceOf,
  sourceIdFor,
  threadKeysOf,
  toComplaintReceived,
  toCustomerMessage,
  type IncomingMail,
} from './index';

const mail = (over: Partial<IncomingMail> = {}): IncomingMail => ({
  messageId: 'm1@klant.example',
  references: [],
  subject: 'Pakket kwijt',
  from: { name: 'Anna de Vries', address: 'Anna@Klant.Example' },
  recipientCount: 1,
  date: new Date('2026-11-24T09:00:00+01:00'),
  text: 'Mijn pakket is kwijt.',
  headers: {},
  attachments: [],
  ...over,
});
const at = {
  mailbox: 'klachten@example.nl/INBOX',
  uidValidity: '77',
  uid: 5,
  internalDate: new Date('2026-11-24T08:30:00Z'),
};
const now = new Date('2026-11-25T08:00:00Z');

describe('email domain', () => {
  it('derives the source id from mailbox + Message-ID, or UIDVALIDITY + UID without one', () => {
    expect(sourceIdFor(at, 'm1@klant.example')).toBe('klachten@example.nl/INBOX#mid:m1@klant.example');
    expect(sourceIdFor(at, undefined)).toBe('klachten@example.nl/INBOX#uid:77:5');
  });

  it('maps a mail to a ComplaintReceived with a stable id, sender, date and attachment metadata', () => {
    const m = mail({
      attachments: [{ filename: 'foto.jpg', contentType: 'image/jpeg', size: 25 * 1024 * 1024 }],
      inReplyTo: 'x@y',
      references: ['x@y'],
    });
    const r = toComplaintReceived(m, at, now);
    expect(r).toMatchObject({
      complaintId: complaintIdFor('email', 'klachten@example.nl/INBOX#mid:m1@klant.example'),
      channel: 'email',
      receivedAt: '2026-11-24T08:00:00.000Z',
      subject: 'Pakket kwijt',
      text: 'Mijn pakket is kwijt.',
      customer: { name: 'Anna de Vries', email: 'anna@klant.example' },
      email: {
        mailbox: at.mailbox,
        messageId: 'm1@klant.example',
        inReplyTo: 'x@y',
        references: ['x@y'],
        attachments: [{ filename: 'foto.jpg', contentType: 'image/jpeg', size: 26214400 }],
      },
    });
    expect(toComplaintReceived(m, at, now).complaintId).toBe(r.complaintId);
  });

  it('falls back to INTERNALDATE when the Date header is missing or absurd', () => {
    expect(toComplaintReceived(mail({ date: undefined }), at, now).receivedAt).toBe(
      '2026-11-24T08:30:00.000Z',
    );
    expect(toComplaintReceived(mail({ date: new Date('2099-01-01') }), at, now).receivedAt).toBe(
      '2026-11-24T08:30:00.000Z',
    );
    expect(
      toComplaintReceived(mail({ date: new Date('invalid') }), { ...at, internalDate: undefined }, now)
        .receivedAt,
    ).toBe(now.toISOString());
  });

  it('turns hostile HTML into inert text', () => {
    const text = htmlToSafeText(
      `<html><head><style>p{}</style><script>steal()</script></head><body><p onclick="x()">Hallo&nbsp;daar</p><img src=x onerror="alert(1)"><!-- <script>c</script> -->` +
        `<iframe src="https://evil"></iframe>&lt;script&gt;alert(4)&lt;/script&gt; &#8364;5 &amp; meer<br>regel 2</body></html>`,
    );
    expect(text).toBe('Hallo daar\n‹script>alert(4)‹/script> €5 & meer\nregel 2');
    expect(text).not.toMatch(/<[a-z/]/i);
    expect(
      toComplaintReceived(mail({ text: undefined, html: '<p>Only <b>HTML</b></p>' }), at, now).text,
    ).toBe('Only HTML');
  });

  it('caps huge bodies so the event stays within its schema', () => {
    expect(toComplaintReceived(mail({ text: 'x'.repeat(300_000) }), at, now).text.length).toBeLessThanOrEqual(
      200_000,
    );
  });

  it('recognises auto-replies and bounces, and leaves human mail alone', () => {
    expect(detectAutomated(mail({ headers: { 'auto-submitted': 'auto-replied' } }))?.kind).toBe('auto-reply');
    expect(detectAutomated(mail({ headers: { 'auto-submitted': 'no' } }))).toBeUndefined();
    expect(detectAutomated(mail({ headers: { 'x-autoreply': 'yes' } }))?.kind).toBe('auto-reply');
    expect(detectAutomated(mail({ headers: { precedence: 'bulk' } }))?.kind).toBe('auto-reply');
    expect(detectAutomated(mail({ headers: { precedence: 'list' } }))).toBeUndefined();
    expect(
      detectAutomated(mail({ contentType: 'multipart/report; report-type=delivery-status; boundary=x' }))
        ?.kind,
    ).toBe('bounce');
    expect(detectAutomated(mail({ from: { address: 'MAILER-DAEMON@mx.example' } }))?.kind).toBe('bounce');
    expect(detectAutomated(mail({ headers: { 'return-path': '<>' } }))?.kind).toBe('bounce');
    expect(detectAutomated(mail())).toBeUndefined();
  });

  it('finds the complaint reference in a subject and maps it to the id prefix', () => {
    const id = complaintIdFor('web', 'x');
    const ref = referenceOf(id);
    expect(findReference(`Re: Uw klacht ${ref.toLowerCase()} - nog niets gehoord`)).toBe(ref);
    expect(findReference('KLX-12-34 no')).toBeUndefined();
    expect(id.startsWith(complaintIdPrefixFor(ref))).toBe(true);
  });

  it('normalises Message-IDs and reference lists', () => {
    expect(normaliseMessageId(' <abc@host> ')).toBe('abc@host');
    expect(messageIdList('<a@h> <b@h>\r\n <a@h>')).toEqual(['a@h', 'b@h']);
    expect(
      threadKeysOf(mail({ inReplyTo: 'a@h', references: ['a@h'], subject: 'Re: KLX-ABCD-1234' })),
    ).toEqual({ inReplyTo: 'a@h', references: ['a@h'], reference: 'KLX-ABCD-1234' });
  });

  it('maps a linked reply to a CustomerMessageReceived on the existing complaint', () => {
    const target = complaintIdFor('email', 'original');
    const msg = toCustomerMessage(
      mail({ messageId: 'r1@h', inReplyTo: 'original@h' }),
      at,
      { complaintId: target, matchedBy: 'in-reply-to' },
      now,
    );
    expect(msg).toMatchObject({
      complaintId: target,
      matchedBy: 'in-reply-to',
      sourceId: 'klachten@example.nl/INBOX#mid:r1@h',
      channel: 'email',
    });
    expect(msg.messageId).toMatch(/^msg_/);
  });
});
