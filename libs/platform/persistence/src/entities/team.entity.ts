import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'teams' })
export class TeamEntity {
  @PrimaryColumn('text') id!: string;
  @Column('text') name!: string;
  @Column('text', { name: 'lead_id', nullable: true }) leadId!: string | null;
}

@Entity({ name: 'team_members' })
export class TeamMemberEntity {
  @PrimaryColumn('text') id!: string;
  @Column('text', { name: 'team_id' }) teamId!: string;
  @Column('text') name!: string;
  @Column('text', { nullable: true }) email!: string | null;
  @Column('text') role!: string;
  @Column('jsonb') skills!: Record<string, unknown>;
  @Column('int') capacity!: number;
  @Column('int', { name: 'open_count' }) openCount!: number;
  @Column('timestamptz', { name: 'last_assigned_at', nullable: true }) lastAssignedAt!: Date | null;
  @Column('boolean') active!: boolean;
}
