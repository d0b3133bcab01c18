import { z } from 'zod';
import { classifiedCategory, isoDateTime } from '@klaxon/contracts';

const text = (max: number) => z.string().trim().min(1).max(max);

export const listRootCausesSchema = z.strictObject({
  kind: z.enum(['review', 'spike']).optional(),
  category: classifiedCategory.optional(),
  status: z.enum(['open', 'completed', 'closed']).optional(),
  ownerId: z.string().max(100).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListRootCausesQuery = z.output<typeof listRootCausesSchema>;

export const rootCauseSummarySchema = z.strictObject({
  from: isoDateTime.optional(),
  to: isoDateTime.optional(),
  teamId: z.string().max(100).optional(),
});

/** What the owner of a review records: the cause found, the measure taken, whether the complaints were founded. */
export const conclusionSchema = z.strictObject({
  cause: text(5_000),
  measure: text(5_000),
  founded: z.boolean(),
});
export type Conclusion = z.output<typeof conclusionSchema>;

/** Closing a spike: not an incident after all, or dealt with (the customers informed). */
export const closeSpikeSchema = z.strictObject({ note: text(2_000).optional() });
