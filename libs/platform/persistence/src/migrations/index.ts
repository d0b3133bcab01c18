import { Foundation1764000000000 } from './1764000000000-foundation';
import { RoutingOrganisation1764000100000 } from './1764000100000-routing-organisation';
import { SlaCases1764000200000 } from './1764000200000-sla-cases';
import { SlaSettings1764000200001 } from './1764000200001-sla-settings';
import { CustomerMessageClaim1764000200002 } from './1764000200002-customer-message-claim';
import { EmailIngest1764000350000 } from './1764000350000-email-ingest';
import { SocialCheckpoints1764000370000 } from './1764000370000-social-checkpoints';
import { ApiKeys1764000390000 } from './1764000390000-api-keys';
import { ConsoleUsers1764000400000 } from './1764000400000-console-users';
import { ClassifierTrainingExamples1764000500000 } from './1764000500000-classifier-training-examples';
import { PipelinePlans1764000600000 } from './1764000600000-pipeline-plans';
import { DeadLetterReplays1764000710000 } from './1764000710000-dead-letter-replays';
import { TaxonomyRoutingRules1764000800000 } from './1764000800000-taxonomy-routing-rules';
import { ProcessedEventsPruning1764000700000 } from './1764000700000-processed-events-pruning';
import { FollowUpsAndRootCauseWork1764001100000 } from './1764001100000-follow-ups-and-root-cause-work';
import { Conversation1764001200000 } from './1764001200000-conversation';
import { ComplaintSearch1764001300000 } from './1764001300000-complaint-search';

/**
 * Every migration, in order. Hand-written, never `synchronize`. Add one file per migration and one
 * line here; timestamps by area keep names apart (see README "Persistence").
 */
export const MIGRATIONS = [
  Foundation1764000000000,
  RoutingOrganisation1764000100000,
  SlaCases1764000200000,
  SlaSettings1764000200001,
  CustomerMessageClaim1764000200002,
  EmailIngest1764000350000,
  SocialCheckpoints1764000370000,
  ApiKeys1764000390000,
  ConsoleUsers1764000400000,
  ClassifierTrainingExamples1764000500000,
  PipelinePlans1764000600000,
  ProcessedEventsPruning1764000700000,
  DeadLetterReplays1764000710000,
  TaxonomyRoutingRules1764000800000,
  FollowUpsAndRootCauseWork1764001100000,
  Conversation1764001200000,
  ComplaintSearch1764001300000,
];
