import { CaseEventEvent } from './events/case-event.event';
import { ComplaintAssignedEvent } from './events/complaint-assigned.event';
import { ComplaintClassifiedEvent } from './events/complaint-classified.event';
import { ComplaintEscalatedEvent } from './events/complaint-escalated.event';
import { ComplaintReceivedEvent } from './events/complaint-received.event';
import { SlaAlertEvent } from './events/sla-alert.event';
import { CustomerMessageReceivedEvent } from './events/customer-message-received.event';
import { FollowUpAssignedEvent } from './events/follow-up-assigned.event';
import { deadLetterTopic } from './dead-letter';

/** Every event on the bus. Deployments generate their topic list from this. */
export const ALL_EVENTS = [
  ComplaintReceivedEvent,
  ComplaintClassifiedEvent,
  ComplaintAssignedEvent,
  ComplaintEscalatedEvent,
  SlaAlertEvent,
  CaseEventEvent,
  CustomerMessageReceivedEvent,
  FollowUpAssignedEvent,
] as const;

export interface TopicSpec {
  name: string;
  partitions: number;
  retentionDays: number;
}

export function allTopics(): TopicSpec[] {
  return ALL_EVENTS.flatMap((e) => [
    { name: e.topic, partitions: e.partitions, retentionDays: e.retentionDays },
    { name: deadLetterTopic(e.topic), partitions: e.partitions, retentionDays: 30 },
  ]);
}
