import { z } from 'zod';
import { isoDateTime } from './primitives';

/** Every consumed topic has a dead-letter twin; records keep the original bytes and the reason. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

export const deadLetterRecordSchema = z.object({
  originalTopic: z.string(),
  partition: z.number().int().nonnegative(),
  offset: z.string(),
  consumerGroup: z.string(),
  key: z.string().nullable(),
  /** The original value, byte for byte, base64. */
  valueBase64: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
  error: z.object({ code: z.string(), message: z.string() }),
  attempts: z.number().int().positive(),
  deadLetteredAt: isoDateTime,
});
export type DeadLetterRecord = z.infer<typeof deadLetterRecordSchema>;
