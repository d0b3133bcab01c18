import { complaintIdFor, type ComplaintReceived, type CustomerIdentity } from '@klaxon/contracts';
import { normaliseIdentity } from './customer-identity';

/** What the web form, the JSON API and the call-centre note have in common. */
export interface Submission {
  channel: 'web' | 'phone';
  text: string;
  subject?: string;
  customer: CustomerIdentity;
  customerPicked?: ComplaintReceived['customerPicked'];
  language?: string;
  unit?: string;
  phone?: { agentId: string; callAt: string };
}

/**
 * Turns a submission into the normalised event. The complaint id comes from the channel and the
 * source id (an Idempotency-Key, or a fresh id per submission), so a retried post is the same complaint.
 */
export function toComplaintReceived(
  submission: Submission,
  sourceId: string,
  receivedAt: Date,
): ComplaintReceived {
  return {
    complaintId: complaintIdFor(submission.channel, sourceId),
    channel: submission.channel,
    sourceId,
    receivedAt: receivedAt.toISOString(),
    ...(submission.subject ? { subject: submission.subject.trim() } : {}),
    text: submission.text.trim(),
    ...(submission.customerPicked ? { customerPicked: submission.customerPicked } : {}),
    ...(submission.language ? { languageHint: submission.language } : {}),
    customer: normaliseIdentity(submission.customer),
    ...(submission.unit ? { unit: submission.unit } : {}),
    ...(submission.phone ? { phone: submission.phone } : {}),
  };
}

/** Short human reference shown to the customer, derived from the id (e.g. "KLX-4F7Q-9ZB2"). */
export function referenceFor(complaintId: string): string {
  const core = complaintId.replace(/^cmp_/, '').toUpperCase();
  return `KLX-${core.slice(0, 4)}-${core.slice(4, 8)}`;
}
