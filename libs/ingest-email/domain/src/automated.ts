import type { IncomingMail } from './incoming-mail';

export interface AutomatedVerdict {
  kind: 'auto-reply' | 'bounce';
  reason: string;
}

const header = (mail: IncomingMail, name: string): string => (mail.headers[name] ?? '').trim().toLowerCase();

/**
 * Recognises mail no human wrote to us: out-of-office replies (RFC 3834 Auto-Submitted, the
 * X-Autoreply family, Precedence bulk/junk/auto_reply) and delivery-status notifications (RFC 3464
 * multipart/report, MAILER-DAEMON / postmaster senders, the null return path). Such mail never becomes a complaint.
 */
export function detectAutomated(mail: IncomingMail): AutomatedVerdict | undefined {
  const contentType = (mail.contentType ?? header(mail, 'content-type')).toLowerCase();
  if (
    contentType.startsWith('multipart/report') &&
    /report-type\s*=\s*"?(delivery-status|disposition-notification)/.test(contentType)
  ) {
    return {
      kind: 'bounce',
      reason: `content-type ${contentType.split(';')[0]} (${/delivery-status/.test(contentType) ? 'delivery-status' : 'disposition-notification'})`,
    };
  }
  if (mail.attachments.some((a) => a.contentType.toLowerCase() === 'message/delivery-status')) {
    return { kind: 'bounce', reason: 'contains message/delivery-status' };
  }
  const fromAddress = (mail.from?.address ?? '').toLowerCase();
  const local = fromAddress.split('@')[0];
  if (local === 'mailer-daemon' || local === 'postmaster')
    return { kind: 'bounce', reason: `sender ${fromAddress}` };
  if (header(mail, 'return-path') === '<>')
    return { kind: 'bounce', reason: 'null return path (Return-Path: <>)' };

  const autoSubmitted = header(mail, 'auto-submitted');
  if (autoSubmitted && autoSubmitted !== 'no')
    return { kind: 'auto-reply', reason: `Auto-Submitted: ${autoSubmitted}` };
  for (const name of [
    'x-autoreply',
    'x-autorespond',
    'x-autoresponder',
    'x-auto-response-suppress-original',
  ]) {
    if (mail.headers[name] !== undefined) return { kind: 'auto-reply', reason: `${name} header present` };
  }
  const suppress = header(mail, 'x-auto-response-suppress');
  if (
    /\b(all|oof|autoreply)\b/.test(suppress) &&
    /^(automatic reply|autosvar|out of office|afwezig|automatisch antwoord)/i.test(mail.subject ?? '')
  ) {
    return {
      kind: 'auto-reply',
      reason: `X-Auto-Response-Suppress: ${suppress} with an out-of-office subject`,
    };
  }
  const precedence = header(mail, 'precedence');
  if (['bulk', 'junk', 'auto_reply'].includes(precedence)) {
    return { kind: 'auto-reply', reason: `Precedence: ${precedence}` };
  }
  return undefined;
}
