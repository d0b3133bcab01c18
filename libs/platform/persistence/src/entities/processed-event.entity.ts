import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An event a consumer has applied; recorded in the same transaction as its effects. */
@Entity({ name: 'processed_events' })
export class ProcessedEventEntity {
  @PrimaryColumn('text') consumer!: string;
  @PrimaryColumn('text', { name: 'event_id' }) eventId!: string;
  @Column('timestamptz', { name: 'processed_at' }) processedAt!: Date;
}
