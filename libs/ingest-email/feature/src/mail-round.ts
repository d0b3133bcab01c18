import { randomUUID } from 'node:crypto';
import {
  complaintReceivedSchema,
  CustomerMessageReceivedEvent,
  encodeEvent,
  type EncodedEvent,
} from '@klaxon/contracts';
import {
  detectAutomated,
  sourceIdFor,
  threadKeysOf,
  toComplaintReceived,
  toCustomerMessage,
  type IncomingMail,
  type MailLocation,
  type MatchedBy,
} from '@klaxon/ingest-email/domain';
import type { Logger } from '@klaxon/platform/observability';
import type { ComplaintRegistration } from '@klaxon/platform/persistence';
import type { MailboxConfig } from './email-ingest.options';
import type { EmailStore, HandledMessage } from './email-store';
import { parseMail } from './parse-mail';

/** A message as fetched from the server: its source, or only its headers when it is over the size limit. */
export interface Fetched {
  uid: number;
  size?: number;
  internalDate?: Date;
  source?: Buffer;
  headersOnly?: Buffer;
}

interface Prepared {
  location: MailLocation;
  sourceId: string;
  mail?: IncomingMail;
  error?: { code: string; message: string };
}

export interface RoundOutcome {
  location: MailLocation;
  messageId?: string;
  outcome: string;
  complaintId?: string;
  reason?: string;
}

/** What one round of mail becomes, before anything is written: to be recorded in one transaction. */
export interface RoundPlan {
  registrations: ComplaintRegistration[];
  events: EncodedEvent[];
  handled: HandledMessage[];
  outcomes: RoundOutcome[];
  duplicates: number;
}

/**
 * One round of mail, without the connection: parse each message, skip what was handled before,
 * recognise auto-replies and bounces, link replies to their complaint (In-Reply-To, References, the
 * KLX reference in the subject) and map the rest to new complaints. Nothing is written here.
 */
export class MailRound {
  constructor(
    private readonly config: MailboxConfig,
    private readonly deps: { store: EmailStore; logger: Logger },
  ) {}

  async plan(fetched: Fetched[], uidValidity: string, now: Date): Promise<RoundPlan> {
    const { store } = this.deps;
    const prepared = await Promise.all(fetched.map((f) => this.prepare(f, uidValidity)));
    const known = await store.known(prepared.map((p) => p.sourceId));
    const threadIds = prepared
      .flatMap((p) => (p.mail ? [p.mail.inReplyTo, ...p.mail.references] : []))
      .filter((x): x is string => Boolean(x));
    const byMessageId = await store.complaintsByMessageId(threadIds);

    const outgoing: EncodedEvent[] = [];
    const registrations: ComplaintRegistration[] = [];
    const handled: HandledMessage[] = [];
    const outcomes: Array<{ p: Prepared; outcome: string; complaintId?: string; reason?: string }> = [];
    const inRound = new Set<string>();
    let duplicates = 0;
    for (const p of prepared) {
      if (known.has(p.sourceId) || inRound.has(p.sourceId)) {
        duplicates++;
        this.deps.logger.info(
          { uid: p.location.uid, sourceId: p.sourceId },
          'email seen before: skipped (no second complaint)',
        );
        continue;
      }
      inRound.add(p.sourceId);
      const base = {
        sourceId: p.sourceId,
        mailbox: this.config.name,
        uidValidity,
        uid: p.location.uid,
        size: p.location.size,
        messageId: p.mail?.messageId,
      };
      if (p.error || !p.mail) {
        const reason = `${p.error?.code}: ${p.error?.message}`;
        handled.push({ ...base, disposition: 'dead-letter', reason });
        outcomes.push({ p, outcome: 'dead-letter', reason });
        continue;
      }
      const mail = p.mail;
      const automated = detectAutomated(mail);
      if (automated) {
        handled.push({ ...base, disposition: automated.kind, reason: automated.reason });
        outcomes.push({ p, outcome: automated.kind, reason: automated.reason });
        continue;
      }
      try {
        const link = await this.linkOf(mail, byMessageId);
        const correlationId = randomUUID();
        if (link) {
          const message = toCustomerMessage(mail, p.location, link, now);
          outgoing.push(
            encodeEvent(CustomerMessageReceivedEvent, message, {
              eventId: `${message.messageId}:message`,
              correlationId,
            }),
          );
          handled.push({
            ...base,
            disposition: 'reply',
            complaintId: link.complaintId,
            reason: link.matchedBy,
            receivedAt: message.receivedAt,
          });
          outcomes.push({ p, outcome: 'reply', complaintId: link.complaintId, reason: link.matchedBy });
          if (mail.messageId) byMessageId.set(mail.messageId, link.complaintId);
        } else {
          const received = complaintReceivedSchema.parse(toComplaintReceived(mail, p.location, now));
          registrations.push({
            received,
            correlationId,
            actor: `email-ingest:${this.config.name}`,
            reason: 'e-mail received',
            data: { mailbox: this.config.name, uid: p.location.uid, messageId: mail.messageId ?? null },
          });
          handled.push({
            ...base,
            disposition: 'complaint',
            complaintId: received.complaintId,
            receivedAt: received.receivedAt,
          });
          outcomes.push({ p, outcome: 'complaint', complaintId: received.complaintId });
          if (mail.messageId) byMessageId.set(mail.messageId, received.complaintId);
        }
      } catch (error) {
        const reason = `${(error as { code?: string }).code ?? 'mapping-failed'}: ${(error as Error).message}`;
        handled.push({ ...base, disposition: 'dead-letter', reason });
        outcomes.push({ p, outcome: 'dead-letter', reason });
      }
    }
    return {
      registrations,
      events: outgoing,
      handled,
      outcomes: outcomes.map(({ p, ...o }) => ({ location: p.location, messageId: p.mail?.messageId, ...o })),
      duplicates,
    };
  }

  private async prepare(f: Fetched, uidValidity: string): Promise<Prepared> {
    const location: MailLocation = {
      mailbox: this.config.name,
      uidValidity,
      uid: f.uid,
      internalDate: f.internalDate,
      size: f.size,
    };
    try {
      let mail: IncomingMail;
      if (f.source) {
        mail = await parseMail(f.source);
      } else if (f.headersOnly) {
        mail = await parseMail(Buffer.concat([f.headersOnly, Buffer.from('\r\n')]));
        mail = {
          ...mail,
          text: `[message of ${f.size} bytes exceeds the ${this.config.maxMessageBytes}-byte limit: body and attachments not read]`,
          html: undefined,
        };
      } else {
        throw Object.assign(new Error('server returned no message source'), { code: 'no-source' });
      }
      return { location, mail, sourceId: sourceIdFor(location, mail.messageId) };
    } catch (error) {
      const e = error as { code?: string; message?: string };
      return {
        location,
        sourceId: sourceIdFor(location, undefined),
        error: { code: e.code ?? 'unparseable-mail', message: e.message ?? String(error) },
      };
    }
  }

  private async linkOf(
    mail: IncomingMail,
    byMessageId: Map<string, string>,
  ): Promise<{ complaintId: string; matchedBy: MatchedBy } | undefined> {
    const keys = threadKeysOf(mail);
    if (keys.inReplyTo && byMessageId.has(keys.inReplyTo))
      return { complaintId: byMessageId.get(keys.inReplyTo)!, matchedBy: 'in-reply-to' };
    for (const ref of [...keys.references].reverse()) {
      if (byMessageId.has(ref)) return { complaintId: byMessageId.get(ref)!, matchedBy: 'references' };
    }
    if (keys.reference) {
      const complaintId = await this.deps.store.complaintByReference(keys.reference);
      if (complaintId) return { complaintId, matchedBy: 'subject-reference' };
    }
    return undefined;
  }
}
