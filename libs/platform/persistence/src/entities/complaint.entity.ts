import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A complaint as registered: what came in, what the classifier decided, who owns it. */
@Entity({ name: 'complaints' })
export class ComplaintEntity {
  @PrimaryColumn('text') id!: string;
  @Column('text') channel!: string;
  @Column('text', { name: 'source_id' }) sourceId!: string;
  @Column('text') status!: string;
  @Column('timestamptz', { name: 'received_at' }) receivedAt!: Date;
  @Column('text', { nullable: true }) subject!: string | null;
  @Column('text') text!: string;
  @Column('jsonb') customer!: Record<string, string>;
  @Column('text', { name: 'customer_picked', nullable: true }) customerPicked!: string | null;
  @Column('text', { nullable: true }) unit!: string | null;
  @Column('jsonb', { name: 'channel_meta', nullable: true }) channelMeta!: Record<string, unknown> | null;
  @Column('text', { nullable: true }) language!: string | null;
  @Column('text', { name: 'complaint_label', nullable: true }) complaintLabel!: string | null;
  @Column('double precision', { name: 'complaint_probability', nullable: true }) complaintProbability!:
    number | null;
  @Column('text', { nullable: true }) category!: string | null;
  @Column('double precision', { name: 'category_probability', nullable: true }) categoryProbability!:
    number | null;
  @Column('text', { nullable: true }) priority!: string | null;
  @Column('jsonb', { name: 'priority_reasons', nullable: true }) priorityReasons!: string[] | null;
  @Column('jsonb', { nullable: true }) why!: string[] | null;
  @Column('double precision', { nullable: true }) sentiment!: number | null;
  @Column('boolean', { name: 'reputational_risk', nullable: true }) reputationalRisk!: boolean | null;
  @Column('text', { name: 'model_version', nullable: true }) modelVersion!: string | null;
  @Column('timestamptz', { name: 'classified_at', nullable: true }) classifiedAt!: Date | null;
  @Column('text', { name: 'owner_id', nullable: true }) ownerId!: string | null;
  @Column('text', { name: 'owner_name', nullable: true }) ownerName!: string | null;
  @Column('text', { name: 'team_id', nullable: true }) teamId!: string | null;
  @Column('jsonb', { name: 'assignment_reason', nullable: true }) assignmentReason!: Record<
    string,
    unknown
  > | null;
  @Column('timestamptz', { name: 'assigned_at', nullable: true }) assignedAt!: Date | null;
  @Column('text', { name: 'correlation_id', nullable: true }) correlationId!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
