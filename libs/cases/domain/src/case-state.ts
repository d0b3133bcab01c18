import type {
  CaseAction,
  ComplaintCategory,
  ComplaintLabel,
  FollowUpOutcome,
  Priority,
} from '@klaxon/contracts';

/** Where a complaint stands in its handling (the `complaints.status` column). */
export type CaseStatus =
  | 'received'
  | 'classified'
  | 'signal'
  | 'queued'
  | 'assigned'
  | 'acknowledged'
  | 'in-progress'
  | 'waiting-on-customer'
  | 'resolved'
  | 'closed'
  | 'erased';

/** What a handler (or the customer, through a handler or a form) asks to do. */
export type CaseCommand =
  | { action: 'acknowledge'; message?: string }
  /** On X: a public reply under the post (default) or a direct message. */
  | { action: 'reply'; message: string; mode?: 'public' | 'dm' }
  | { action: 'wait-on-customer'; message?: string }
  | { action: 'customer-replied'; message?: string }
  | { action: 'resolve'; founded: boolean; resolution: string }
  | { action: 'reopen'; reason: string }
  | { action: 'hand-back'; reason: string }
  | {
      action: 'correct';
      /** A category of the taxonomy (a person says what it is about, never "uncategorised"). */
      category?: ComplaintCategory;
      priority?: Priority;
      complaint?: ComplaintLabel;
      reason?: string;
    }
  | { action: 'csat'; score: number; comment?: string; stillOpen?: boolean }
  /** A senior completes the follow-up a low CSAT asked for: contacted the customer, offered a remedy, or reopened it. */
  | { action: 'follow-up'; outcome: FollowUpOutcome; note?: string };

export type CaseCommandName = CaseCommand['action'];

export interface CaseFacts {
  status: CaseStatus;
  category: string | null;
  priority: Priority | null;
  complaintLabel: ComplaintLabel | null;
  /** The follow-up waiting for an outcome (after a low CSAT), if any. */
  openFollowUp?: string | null;
}

export interface Accepted {
  ok: true;
  /** The status after the command. */
  status: CaseStatus;
  /** The case events it produces, in order (a CSAT "still open" is a CSAT and a reopen). */
  events: CaseAction[];
  /** For `correct`: only what really changes. */
  changes?: { category?: ComplaintCategory; priority?: Priority; complaint?: ComplaintLabel };
}

export interface Refused {
  ok: false;
  code: 'invalid-transition' | 'nothing-to-change' | 'no-open-follow-up';
  message: string;
}

const PRE_HANDLING: CaseStatus[] = ['received', 'classified', 'signal', 'queued', 'assigned'];
const HANDLING: CaseStatus[] = ['assigned', 'acknowledged', 'in-progress', 'waiting-on-customer'];

/** From which statuses each command is allowed, and where it leads. */
const RULES: Record<
  Exclude<CaseCommandName, 'correct' | 'csat' | 'follow-up'>,
  { from: CaseStatus[]; to: (s: CaseStatus) => CaseStatus; event: CaseAction }
> = {
  acknowledge: { from: PRE_HANDLING, to: () => 'acknowledged', event: 'acknowledged' },
  reply: {
    from: [...PRE_HANDLING, 'acknowledged', 'in-progress', 'waiting-on-customer'],
    to: () => 'in-progress',
    event: 'responded',
  },
  'wait-on-customer': {
    from: ['assigned', 'acknowledged', 'in-progress'],
    to: () => 'waiting-on-customer',
    event: 'waiting-on-customer',
  },
  'customer-replied': { from: ['waiting-on-customer'], to: () => 'in-progress', event: 'customer-replied' },
  resolve: {
    from: [...PRE_HANDLING, 'acknowledged', 'in-progress', 'waiting-on-customer'],
    to: () => 'resolved',
    event: 'resolved',
  },
  reopen: { from: ['resolved', 'closed'], to: () => 'in-progress', event: 'reopened' },
  'hand-back': { from: HANDLING, to: () => 'queued', event: 'handed-back' },
};

function refuse(command: CaseCommandName, status: CaseStatus, why?: string): Refused {
  return {
    ok: false,
    code: 'invalid-transition',
    message: why ?? `cannot ${command} a complaint that is ${status}`,
  };
}

/**
 * The case state machine: whether a command makes sense for a complaint in its current state, the
 * status it leads to and the case events it produces. Nonsense (resolving a resolved complaint,
 * replying to an erased one) is refused with a reason.
 */
export function decide(facts: CaseFacts, command: CaseCommand): Accepted | Refused {
  const { status } = facts;
  if (status === 'erased')
    return refuse(command.action, status, `cannot ${command.action} an erased complaint`);
  if (command.action === 'correct') {
    const changes: NonNullable<Accepted['changes']> = {};
    if (command.category !== undefined && command.category !== facts.category)
      changes.category = command.category;
    if (command.priority !== undefined && command.priority !== facts.priority)
      changes.priority = command.priority;
    if (command.complaint !== undefined && command.complaint !== facts.complaintLabel)
      changes.complaint = command.complaint;
    if (Object.keys(changes).length === 0)
      return { ok: false, code: 'nothing-to-change', message: 'the correction changes nothing' };
    return { ok: true, status, events: ['corrected'], changes };
  }
  if (command.action === 'csat') {
    if (status !== 'resolved')
      return refuse(
        'csat',
        status,
        `a satisfaction score is only taken for a resolved complaint (this one is ${status})`,
      );
    return command.stillOpen
      ? { ok: true, status: 'in-progress', events: ['csat-received', 'reopened'] }
      : { ok: true, status: 'closed', events: ['csat-received'] };
  }
  if (command.action === 'follow-up') {
    if (!facts.openFollowUp)
      return {
        ok: false,
        code: 'no-open-follow-up',
        message: 'there is no open follow-up on this complaint',
      };
    // Reopened: back to its owner, as a reopen. Contacted or a remedy offered: a response, the status stays.
    if (command.outcome !== 'reopened') return { ok: true, status, events: ['responded'] };
    if (status !== 'resolved' && status !== 'closed')
      return refuse(
        'follow-up',
        status,
        `the complaint is already open (${status}): record that you contacted the customer or offered a remedy`,
      );
    return { ok: true, status: 'in-progress', events: ['reopened'] };
  }
  const rule = RULES[command.action];
  if (!rule.from.includes(status)) {
    if (command.action === 'acknowledge')
      return refuse(
        'acknowledge',
        status,
        `the complaint is already ${status === 'acknowledged' ? 'acknowledged' : status}`,
      );
    return refuse(command.action, status);
  }
  return { ok: true, status: rule.to(status), events: [rule.event] };
}

/** Whether a complaint still counts as open (backlog). */
export function isOpen(status: CaseStatus): boolean {
  return !['resolved', 'closed', 'erased', 'signal'].includes(status);
}
