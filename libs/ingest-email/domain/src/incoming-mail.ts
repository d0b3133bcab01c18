/** A parsed message as the email channel sees it, independent of the MIME parser used. */
export interface IncomingMail {
  messageId?: string;
  inReplyTo?: string;
  references: string[];
  subject?: string;
  from?: { name?: string; address?: string };
  /** To + Cc + Bcc addresses (only counted: thousands of recipients are not our business). */
  recipientCount: number;
  date?: Date;
  text?: string;
  html?: string;
  /** Lower-cased header names → raw (unfolded) values, for auto-reply and bounce detection. */
  headers: Record<string, string>;
  /** The top-level content type with parameters, e.g. `multipart/report; report-type=delivery-status`. */
  contentType?: string;
  attachments: AttachmentMeta[];
}

export interface AttachmentMeta {
  filename?: string;
  contentType: string;
  size: number;
}

/** Where a message sits on the server: the configured mailbox name plus IMAP coordinates. */
export interface MailLocation {
  /** Stable name of the mailbox as configured (e.g. `complaints@example.nl/INBOX`). */
  mailbox: string;
  uidValidity: string;
  uid: number;
  /** INTERNALDATE: when the server received it (used when the Date header is missing or absurd). */
  internalDate?: Date;
  size?: number;
}
