import { z } from 'zod';

/** ISO 8601 timestamp with an explicit offset (`Z` or `+01:00`). */
export const isoDateTime = z.iso.datetime({ offset: true });

export const complaintId = z
  .string()
  .regex(/^cmp_[0-9a-z]{20,40}$/, 'complaint id must look like cmp_<base36>');

export const channel = z.enum(['web', 'phone', 'email', 'social']);
export type Channel = z.infer<typeof channel>;

export const language = z.string().min(2).max(8);

/** What a customer told us about themselves on one channel; later stages link these into one customer. */
export const customerIdentity = z.object({
  name: z.string().max(300).optional(),
  email: z.string().max(320).optional(),
  phone: z.string().max(40).optional(),
  customerNumber: z.string().max(64).optional(),
  handle: z.string().max(100).optional(),
});
export type CustomerIdentity = z.infer<typeof customerIdentity>;

/** Where an e-mail came from and how it threads: one shape for new complaints and for replies. */
export const emailMessageMeta = z.object({
  mailbox: z.string(),
  messageId: z.string().optional(),
  inReplyTo: z.string().optional(),
  references: z.array(z.string()).default([]),
  /** Metadata only: attachment content never travels on the bus. */
  attachments: z
    .array(
      z.object({
        filename: z.string().optional(),
        contentType: z.string(),
        size: z.number().int().nonnegative(),
      }),
    )
    .default([]),
});
