import type { DataSource } from 'typeorm';
import type { EncodedEvent } from '@klaxon/contracts';
import { appendToOutbox, registerComplaints, type ComplaintRegistration } from '@klaxon/platform/persistence';
import { complaintIdPrefixFor } from '@klaxon/ingest-email/domain';

export type Disposition = 'complaint' | 'reply' | 'auto-reply' | 'bounce' | 'dead-letter';

export interface HandledMessage {
  sourceId: string;
  mailbox: string;
  uidValidity: string;
  uid: number;
  messageId?: string;
  complaintId?: string;
  disposition: Disposition;
  reason?: string;
  size?: number;
  receivedAt?: string;
}

export interface MailboxCheckpoint {
  uidValidity: string;
  lastUid: number;
}

/** The email channel's own tables: checkpoints per mailbox and one row per handled message. */
export class EmailStore {
  constructor(private readonly dataSource: DataSource) {}

  async checkpoint(mailbox: string): Promise<MailboxCheckpoint | undefined> {
    const [row] = (await this.dataSource.query(
      'SELECT uid_validity, last_uid FROM email_mailbox_state WHERE mailbox = $1',
      [mailbox],
    )) as Array<{
      uid_validity: string;
      last_uid: string;
    }>;
    return row ? { uidValidity: row.uid_validity, lastUid: Number(row.last_uid) } : undefined;
  }

  /** Source ids among these that were handled before. */
  async known(sourceIds: string[]): Promise<Set<string>> {
    if (sourceIds.length === 0) return new Set();
    const rows = (await this.dataSource.query(
      'SELECT source_id FROM email_messages WHERE source_id = ANY($1)',
      [sourceIds],
    )) as Array<{ source_id: string }>;
    return new Set(rows.map((r) => r.source_id));
  }

  /** Message-ID → complaint, for the messages (complaints and their replies) we stored. */
  async complaintsByMessageId(messageIds: string[]): Promise<Map<string, string>> {
    if (messageIds.length === 0) return new Map();
    const rows = (await this.dataSource.query(
      'SELECT message_id, complaint_id FROM email_messages WHERE message_id = ANY($1) AND complaint_id IS NOT NULL',
      [[...new Set(messageIds)]],
    )) as Array<{ message_id: string; complaint_id: string }>;
    return new Map(rows.map((r) => [r.message_id, r.complaint_id]));
  }

  /** The complaint a `KLX-XXXX-XXXX` reference stands for, if exactly one matches (any channel). */
  async complaintByReference(reference: string): Promise<string | undefined> {
    const prefix = complaintIdPrefixFor(reference);
    const rows = (await this.dataSource.query(
      `SELECT id FROM complaints WHERE id LIKE $1 || '%'
       UNION SELECT complaint_id FROM email_messages WHERE complaint_id LIKE $1 || '%' AND disposition = 'complaint'
       LIMIT 2`,
      [prefix],
    )) as Array<{ id: string }>;
    return rows.length === 1 ? rows[0].id : undefined;
  }

  /**
   * In one transaction: registers the round's complaints (the one registration path), appends the
   * other events (replies) to the outbox, records the handled messages and (when given) advances the
   * mailbox checkpoint.
   */
  async record(
    messages: HandledMessage[],
    checkpoint?: { mailbox: string; uidValidity: string; lastUid: number },
    out: { registrations: ComplaintRegistration[]; events: EncodedEvent[] } = {
      registrations: [],
      events: [],
    },
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await registerComplaints(manager, out.registrations);
      await appendToOutbox(manager, out.events);
      if (messages.length > 0) {
        await manager.query(
          `INSERT INTO email_messages (source_id, mailbox, uid_validity, uid, message_id, complaint_id, disposition, reason, size, received_at)
           SELECT source_id, mailbox, uid_validity, uid, message_id, complaint_id, disposition, reason, size, received_at
             FROM jsonb_to_recordset($1::jsonb) AS r(source_id text, mailbox text, uid_validity text, uid bigint, message_id text,
                  complaint_id text, disposition text, reason text, size integer, received_at timestamptz)
           ON CONFLICT (source_id) DO NOTHING`,
          [
            JSON.stringify(
              messages.map((m) => ({
                source_id: m.sourceId,
                mailbox: m.mailbox,
                uid_validity: m.uidValidity,
                uid: m.uid,
                message_id: m.messageId ?? null,
                complaint_id: m.complaintId ?? null,
                disposition: m.disposition,
                reason: m.reason ?? null,
                size: m.size ?? null,
                received_at: m.receivedAt ?? null,
              })),
            ),
          ],
        );
      }
      if (checkpoint) {
        await manager.query(
          `INSERT INTO email_mailbox_state (mailbox, uid_validity, last_uid, updated_at) VALUES ($1, $2, $3, now())
           ON CONFLICT (mailbox) DO UPDATE SET
             last_uid = CASE WHEN email_mailbox_state.uid_validity = EXCLUDED.uid_validity
                             THEN GREATEST(email_mailbox_state.last_uid, EXCLUDED.last_uid) ELSE EXCLUDED.last_uid END,
             uid_validity = EXCLUDED.uid_validity, updated_at = now()`,
          [checkpoint.mailbox, checkpoint.uidValidity, checkpoint.lastUid],
        );
      }
    });
  }
}
