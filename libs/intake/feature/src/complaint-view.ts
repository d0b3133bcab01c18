import { z } from 'zod';

const at = z.iso.datetime({ offset: true });

/** The API's view of a complaint: camelCase, ISO 8601 times with offset, kebab-case enum values. Documented in /api/docs from this schema. */
export const complaintViewSchema = z.object({
  id: z.string(),
  reference: z.string().describe('Short reference shown to the customer, e.g. KLX-4F7Q-9ZB2'),
  channel: z.string(),
  status: z.string(),
  receivedAt: at,
  subject: z.string().nullable(),
  text: z.string(),
  customer: z.record(z.string(), z.unknown()),
  customerPicked: z.string().nullable(),
  customerId: z
    .string()
    .nullable()
    .describe('The linked customer (GET /api/customers/:id), once the router linked one'),
  channelMeta: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe('What the channel adds, e.g. social: { handle, followers, url }'),
  classification: z
    .object({
      language: z.string(),
      complaint: z.string(),
      complaintProbability: z.number(),
      category: z.string(),
      categoryProbability: z.number(),
      priority: z.string(),
      priorityReasons: z.array(z.string()),
      why: z.array(z.string()),
      sentiment: z.number(),
      reputationalRisk: z.boolean(),
      modelVersion: z.string(),
      classifiedAt: at,
    })
    .nullable(),
  owner: z
    .object({ id: z.string(), name: z.string(), teamId: z.string(), assignedAt: at, reason: z.unknown() })
    .nullable(),
  escalated: z.boolean().describe('Escalated at least once (routing or an SLA breach climbing the ladder)'),
  deadlines: z.array(
    z.object({
      clock: z.string(),
      deadline: at.nullable().describe('null while the clock is paused (waiting on the customer)'),
      warnAt: at.nullable(),
      status: z.string(),
    }),
  ),
  followUps: z
    .array(
      z.object({
        id: z.string(),
        status: z.enum(['open', 'completed']),
        owner: z.object({ id: z.string(), name: z.string(), role: z.string() }).nullable(),
        reason: z.string(),
        csatScore: z.number().int().nullable(),
        stillOpen: z.boolean(),
        openedAt: at,
        outcome: z.enum(['contacted', 'remedy-offered', 'reopened']).nullable(),
        note: z.string().nullable(),
        completedAt: at.nullable(),
      }),
    )
    .describe(
      'The follow-ups a low CSAT (3 or lower, or "still open") asked for, oldest first; owned by a senior',
    ),
  history: z
    .array(
      z.object({ at, kind: z.string(), actor: z.string(), reason: z.string().nullable(), data: z.unknown() }),
    )
    .optional(),
});
export type ComplaintView = z.infer<typeof complaintViewSchema>;

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
  });
