import { z } from 'zod';
import { classifiedCategory, isoDateTime, priority } from '@klaxon/contracts';
import { normalisePhone } from '@klaxon/intake/domain';

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const callAt = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 time with offset, e.g. 2026-11-24T10:15:00+01:00',
});

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
    phone: z
      .object({ agentId: text(100), callAt })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.channel !== 'phone') return;
    if (!body.phone)
      ctx.addIssue({
        code: 'custom',
        path: ['phone'],
        message: 'a phone note needs phone.agentId and phone.callAt',
      });
    if (!body.customer.phone && !body.customer.customerNumber) {
      ctx.addIssue({
        code: 'custom',
        path: ['customer', 'phone'],
        message: 'a phone note needs the caller’s phone number and/or customer number',
      });
    }
    if (body.customer.phone && !normalisePhone(body.customer.phone)) {
      ctx.addIssue({
        code: 'custom',
        path: ['customer', 'phone'],
        message: 'not a valid phone number (national Dutch or international +CC…)',
      });
    }
  });
export type SubmitComplaintBody = z.infer<typeof submitComplaintSchema>;

/**
 * `POST /api/phone-notes`: the call-centre's note after a call, in its own words. Becomes the same
 * submission as `POST /api/complaints` with channel `phone`.
 */
export const phoneNoteSchema = z
  .object({
    agentId: text(100),
    callAt,
    callerPhone: text(40).optional(),
    customerNumber: text(64).optional(),
    callerName: text(200).optional(),
    callerEmail: z.email('must be an e-mail address').max(320).optional(),
    summary: text(MAX_COMPLAINT_TEXT),
    subject: text(300).optional(),
    language: z.enum(['nl', 'en']).optional(),
    unit: text(100).optional(),
    /** The call-centre system's own id for the note: posting it again is the same complaint. */
    noteId: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,200}$/, 'must be 1-200 characters of A-Z a-z 0-9 . _ : -')
      .optional(),
  })
  .strict()
  .superRefine((note, ctx) => {
    if (!note.callerPhone && !note.customerNumber)
      ctx.addIssue({
        code: 'custom',
        path: ['callerPhone'],
        message: 'give the caller’s phone number and/or customer number',
      });
    if (note.callerPhone && !normalisePhone(note.callerPhone))
      ctx.addIssue({
        code: 'custom',
        path: ['callerPhone'],
        message: 'not a valid phone number (national Dutch or international +CC…)',
      });
  });
export type PhoneNoteBody = z.infer<typeof phoneNoteSchema>;

export const acceptedSchema = z.object({
  id: z.string().describe('The complaint id (the same for a retried post with the same Idempotency-Key)'),
  reference: z.string(),
});

export const listComplaintsQuerySchema = z
  .object({
    channel: z.enum(['web', 'phone', 'email', 'social']).optional(),
    status: z
      .string()
      .regex(/^[a-z-]+$/)
      .optional(),
    category: classifiedCategory.optional(),
    teamId: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/)
      .optional(),
    ownerId: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/)
      .optional(),
    followUpOwnerId: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/)
      .optional()
      .describe('only complaints whose open follow-up (after a low CSAT) this member owns'),
    escalated: z.enum(['true', 'false']).optional().describe('true: only complaints that were escalated'),
    q: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe(
        'search: words of the subject, text or customer name (Dutch or English stemming, by the language of the complaint), a KLX- reference, an e-mail address or a phone number (prefixes match)',
      ),
    priority: priority.optional(),
    atRisk: z
      .enum(['true'])
      .optional()
      .describe('true: a clock is running past its warning point or marked at risk'),
    breached: z.enum(['true']).optional().describe('true: a clock passed its deadline'),
    receivedFrom: isoDateTime.optional().describe('received at or after this time (ISO 8601 with offset)'),
    receivedTo: isoDateTime.optional().describe('received before this time (ISO 8601 with offset)'),
    sort: z
      .enum(['newest', 'oldest', 'risk'])
      .default('newest')
      .describe('risk: highest priority first, then the nearest deadline'),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type ListComplaintsQuery = z.infer<typeof listComplaintsQuerySchema>;
