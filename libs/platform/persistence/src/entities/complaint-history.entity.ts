import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One state change of a complaint: what happened, who or what did it, and why. */
@Entity({ name: 'complaint_history' })
export class ComplaintHistoryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('text', { name: 'complaint_id' }) complaintId!: string;
  @Column('timestamptz') at!: Date;
  @Column('text') kind!: string;
  @Column('text') actor!: string;
  @Column('text', { nullable: true }) reason!: string | null;
  @Column('jsonb', { nullable: true }) data!: unknown;
  @Column('text', { name: 'event_id' }) eventId!: string;
  @Column('text', { name: 'correlation_id', nullable: true }) correlationId!: string | null;
}
