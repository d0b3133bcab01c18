import type { MailLocation } from './incoming-mail';

/**
 * The source's own id for a message: mailbox + Message-ID, or mailbox + UIDVALIDITY + UID when the
 * message has no Message-ID. A re-read of the same message always gives the same id.
 */
export function sourceIdFor(
  location: Pick<MailLocation, 'mailbox' | 'uidValidity' | 'uid'>,
  messageId: string | undefined,
): string {
  const id = messageId
    ? `${location.mailbox}#mid:${messageId}`
    : `${location.mailbox}#uid:${location.uidValidity}:${location.uid}`;
  return id.length > 1000 ? id.slice(0, 1000) : id;
}
