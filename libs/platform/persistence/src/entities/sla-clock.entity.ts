import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One promise about one complaint (acknowledgement, owner, first response, resolution, …) and its timer. */
@Entity({ name: 'sla_clocks' })
export class SlaClockEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('text', { name: 'complaint_id' }) complaintId!: string;
  @Column('text') clock!: string;
  @Column('text', { nullable: true }) policy!: string | null;
  @Column('timestamptz', { name: 'started_at' }) startedAt!: Date;
  @Column('timestamptz') deadline!: Date;
  @Column('timestamptz', { name: 'warn_at' }) warnAt!: Date;
  @Column('text') status!: string;
  @Column('timestamptz', { name: 'warned_at', nullable: true }) warnedAt!: Date | null;
  @Column('timestamptz', { name: 'met_at', nullable: true }) metAt!: Date | null;
  @Column('timestamptz', { name: 'breached_at', nullable: true }) breachedAt!: Date | null;
  @Column('text', { name: 'owner_id', nullable: true }) ownerId!: string | null;
  @Column('text', { name: 'team_id', nullable: true }) teamId!: string | null;
}
