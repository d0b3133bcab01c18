import { z } from 'zod';

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const MAX_COMPLAINT_TEXT = 20_000;

/** `POST /api/complaints`: the web channel (the company's own site and apps) and call-centre notes. */
export const submitComplaintSchema = z
  .object({
    channel: z.enum(['web', 'phone']),
    text: text(MAX_COMPLAINT_TEXT),
    subject: text(300).optional(),
    customer: z
      .object({
        name: text(200).optional(),
        email: z.email('must be an e-mail address').max(320).optional(),
        phone: text(40).optional(),
        customerNumber: text(64).optional(),
      })
      .strict(),
    customerPicked: z.enum(['complaint', 'question', 'feedback', 'other']).optional(),
    language: z.enum(['nl', 'en']).optional(),
    unit: text(100).optional(),
    phone: z.object({ agentId: text(100), callAt: z.iso.datetime({ offset: true }) }).strict().optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.channel === 'phone' && !body.phone) {
      ctx.addIssue({ code: 'custom', path: ['phone'], message: 'a phone note needs phone.agentId and phone.callAt' });
    }
  });
export type SubmitComplaintBody = z.infer<typeof submitComplaintSchema>;

export const listComplaintsQuerySchema = z
  .object({
    channel: z.enum(['web', 'phone', 'email', 'social']).optional(),
    status: z.string().regex(/^[a-z-]+$/).optional(),
    category: z.string().regex(/^[a-z-]+$/).optional(),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type ListComplaintsQuery = z.infer<typeof listComplaintsQuerySchema>;
