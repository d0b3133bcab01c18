import { ComplaintHistoryEntity } from './complaint-history.entity';
import { ComplaintEntity } from './complaint.entity';
import { OutboxMessageEntity } from './outbox-message.entity';
import { ProcessedEventEntity } from './processed-event.entity';
import { SlaClockEntity } from './sla-clock.entity';
import { TeamEntity, TeamMemberEntity } from './team.entity';

export {
  ComplaintEntity,
  ComplaintHistoryEntity,
  OutboxMessageEntity,
  ProcessedEventEntity,
  SlaClockEntity,
  TeamEntity,
  TeamMemberEntity,
};

export const ENTITIES = [
  ComplaintEntity,
  ComplaintHistoryEntity,
  OutboxMessageEntity,
  ProcessedEventEntity,
  SlaClockEntity,
  TeamEntity,
  TeamMemberEntity,
];
