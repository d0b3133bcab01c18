import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An event committed with the state change that caused it, waiting for the relay to publish it. */
@Entity({ name: 'outbox' })
export class OutboxMessageEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('text') topic!: string;
  @Column('text') key!: string;
  @Column('bytea') value!: Buffer;
  @Column('jsonb') headers!: Record<string, string>;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}
