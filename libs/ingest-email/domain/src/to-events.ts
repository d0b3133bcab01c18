import { complaintIdFor, type ComplaintReceived, type CustomerMessageReceived } from '@klaxon/contracts';
import type { AttachmentMeta, IncomingMail, MailLocation } from './incoming-mail';
import { findReference } from './reference';
import { htmlToSafeText, neutraliseMarkup, normaliseText, stripControls } from './safe-text';
import { sourceIdFor } from './source-id';

export const MAX_TEXT_CHARS = 200_000;
export const MAX_ATTACHMENTS_ON_BUS = 100;

const clip = (s: string | undefined, max: number): string | undefined => {
  if (s === undefined) return undefined;
  const t = stripControls(s).trim();
  return t ? (t.length > max ? t.slice(0, max) : t) : undefined;
};

/** The body as safe plain text: the text part when there is one, else the HTML made safe. */
export function bodyText(mail: IncomingMail): string {
  const text =
    mail.text && mail.text.trim() ? normaliseText(mail.text) : mail.html ? htmlToSafeText(mail.html) : '';
  return text.length > MAX_TEXT_CHARS ? `${text.slice(0, MAX_TEXT_CHARS - 20)}\n[text truncated]` : text;
}

/** The Date header when it is plausible, else when the server received it, else now. */
export function receivedAtOf(mail: IncomingMail, location: MailLocation, now: Date): string {
  const plausible = (d: Date | undefined): d is Date =>
    d instanceof Date &&
    !Number.isNaN(d.getTime()) &&
    d.getUTCFullYear() >= 1990 &&
    d.getTime() <= now.getTime() + 24 * 3600_000;
  const at = plausible(mail.date)
    ? mail.date
    : plausible(location.internalDate)
      ? location.internalDate
      : now;
  return at.toISOString();
}

function customerOf(mail: IncomingMail): ComplaintReceived['customer'] {
  const email = clip(mail.from?.address?.toLowerCase(), 320);
  const name = clip(mail.from?.name, 300);
  return { ...(name ? { name } : {}), ...(email ? { email } : {}) };
}

function emailMetaOf(mail: IncomingMail, location: MailLocation): NonNullable<ComplaintReceived['email']> {
  const attachments: AttachmentMeta[] = mail.attachments.slice(0, MAX_ATTACHMENTS_ON_BUS).map((a) => ({
    ...(a.filename ? { filename: stripControls(a.filename).slice(0, 255) } : {}),
    contentType: stripControls(a.contentType).slice(0, 255) || 'application/octet-stream',
    size: Math.max(0, Math.floor(a.size)),
  }));
  return {
    mailbox: location.mailbox,
    ...(mail.messageId ? { messageId: mail.messageId } : {}),
    ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
    references: mail.references,
    attachments,
  };
}

/** A new message → the ComplaintReceived it stands for (stable id from channel + source id). */
export function toComplaintReceived(
  mail: IncomingMail,
  location: MailLocation,
  now: Date,
): ComplaintReceived {
  const sourceId = sourceIdFor(location, mail.messageId);
  const subject = clip(neutraliseMarkup(mail.subject ?? ''), 1000);
  return {
    complaintId: complaintIdFor('email', sourceId),
    channel: 'email',
    sourceId,
    receivedAt: receivedAtOf(mail, location, now),
    ...(subject ? { subject } : {}),
    text: bodyText(mail),
    customer: customerOf(mail),
    email: emailMetaOf(mail, location),
  };
}

export type MatchedBy = CustomerMessageReceived['matchedBy'];

/** What a message could be a reply to: the Message-IDs it answers and a reference in its subject. */
export interface ThreadKeys {
  inReplyTo?: string;
  references: string[];
  reference?: string;
}

export function threadKeysOf(mail: IncomingMail): ThreadKeys {
  const reference = findReference(mail.subject);
  return {
    ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
    references: mail.references,
    ...(reference ? { reference } : {}),
  };
}

/** A reply linked to an existing complaint → the CustomerMessageReceived stored on that complaint. */
export function toCustomerMessage(
  mail: IncomingMail,
  location: MailLocation,
  link: { complaintId: string; matchedBy: MatchedBy },
  now: Date,
): CustomerMessageReceived {
  const sourceId = sourceIdFor(location, mail.messageId);
  const subject = clip(neutraliseMarkup(mail.subject ?? ''), 1000);
  return {
    complaintId: link.complaintId,
    messageId: complaintIdFor('email', sourceId).replace(/^cmp_/, 'msg_'),
    channel: 'email',
    sourceId,
    receivedAt: receivedAtOf(mail, location, now),
    ...(subject ? { subject } : {}),
    text: bodyText(mail),
    customer: customerOf(mail),
    matchedBy: link.matchedBy,
    email: emailMetaOf(mail, location),
  };
}
