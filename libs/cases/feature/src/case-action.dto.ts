import { z } from 'zod';
import { complaintCategory, complaintLabel, followUpOutcome, priority } from '@klaxon/contracts';
import type { CaseCommand } from '@klaxon/cases/domain';

const text = (max: number) => z.string().trim().min(1).max(max);

/** The body of POST /api/complaints/:id/actions: one action and its fields. */
export const caseCommandSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('acknowledge'), message: text(10_000).optional() }),
  z.strictObject({
    action: z.literal('reply'),
    message: text(100_000),
    mode: z.enum(['public', 'dm']).optional(),
  }),
  z.strictObject({ action: z.literal('wait-on-customer'), message: text(10_000).optional() }),
  z.strictObject({ action: z.literal('customer-replied'), message: text(100_000).optional() }),
  z.strictObject({ action: z.literal('resolve'), founded: z.boolean(), resolution: text(10_000) }),
  z.strictObject({ action: z.literal('reopen'), reason: text(2_000) }),
  z.strictObject({ action: z.literal('hand-back'), reason: text(2_000) }),
  z
    .strictObject({
      action: z.literal('correct'),
      category: complaintCategory.optional(),
      priority: priority.optional(),
      complaint: complaintLabel.optional(),
      reason: text(2_000).optional(),
    })
    .refine((c) => c.category !== undefined || c.priority !== undefined || c.complaint !== undefined, {
      message: 'a correction needs category, priority or complaint',
    }),
  z.strictObject({
    action: z.literal('csat'),
    score: z.number().int().min(1).max(5),
    comment: z.string().max(5_000).optional(),
    stillOpen: z.boolean().optional(),
  }),
  z.strictObject({ action: z.literal('follow-up'), outcome: followUpOutcome, note: text(10_000).optional() }),
]) satisfies z.ZodType<CaseCommand>;
