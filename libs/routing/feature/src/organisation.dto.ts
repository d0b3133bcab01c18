import { z } from 'zod';
import { classifiedCategory, complaintCategory, complaintLabel, priority } from '@klaxon/contracts';
import { WEEKDAYS, parseInterval } from '@klaxon/routing/domain';

const id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be kebab-case: a-z, 0-9 and -');
const interval = z.string().refine((s) => {
  try {
    parseInterval(s);
    return true;
  } catch {
    return false;
  }
}, 'must look like 09:00-17:00');
const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'unknown time zone');
const channels = z.array(z.enum(['web', 'phone', 'email', 'social']));
const isoDateTime = z.iso.datetime({ offset: true });

export const teamSchema = z.strictObject({
  id,
  name: z.string().min(1).max(200),
  leadId: z.string().min(1).max(100).optional(),
  unit: z.string().min(1).max(100).optional(),
});
export const teamPatchSchema = teamSchema.omit({ id: true }).partial().strict();

export const workingHoursSchema = z.strictObject({
  timeZone,
  days: z.partialRecord(z.enum(WEEKDAYS as [string, ...string[]]), z.array(interval).max(6)),
});

export const memberSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be kebab-case: a-z, 0-9 and -'),
  teamId: id,
  name: z.string().min(1).max(200),
  email: z.email().max(320).optional(),
  role: z.enum(['handler', 'senior', 'team-lead', 'executive']),
  skills: z.strictObject({
    languages: z.array(z.string().min(2).max(8)).default([]),
    categories: z.array(classifiedCategory).default([]),
    channels: channels.default([]),
  }),
  authority: z
    .strictObject({ maxCompensation: z.number().int().nonnegative().max(1_000_000_000) })
    .default({ maxCompensation: 0 }),
  capacity: z.number().int().min(0).max(10_000),
  capacityByChannel: z
    .partialRecord(z.enum(['web', 'phone', 'email', 'social']), z.number().int().min(0).max(100_000))
    .optional(),
  workingHours: workingHoursSchema,
  active: z.boolean().default(true),
});
export const memberPatchSchema = memberSchema.omit({ id: true }).partial().strict();

export const absenceSchema = z
  .strictObject({
    from: isoDateTime,
    until: isoDateTime,
    replacementId: z.string().min(1).max(100).optional(),
    reason: z.string().max(500).optional(),
  })
  .refine((a) => Date.parse(a.until) > Date.parse(a.from), {
    message: 'until must be after from',
    path: ['until'],
  });

export const ruleSchema = z.strictObject({
  id: z.string().min(1).max(100),
  description: z.string().max(500).optional(),
  match: z.strictObject({
    categories: z.array(classifiedCategory).optional(),
    channels: z.array(z.string()).optional(),
    languages: z.array(z.string()).optional(),
    priorities: z.array(priority).optional(),
    segments: z.array(z.string()).optional(),
    units: z.array(z.string()).optional(),
  }),
  teamId: z.string().optional(),
  teamFromUnit: z.boolean().optional(),
  requiredAuthority: z.number().int().nonnegative().max(1_000_000_000).optional(),
});
export const ruleSetSchema = z.strictObject({
  rules: z.array(ruleSchema).max(1000),
  defaultTeamId: z.string().min(1),
  note: z.string().max(500).optional(),
});

/** Why a person moves a complaint: required, and recorded in its history with their name. */
const reassignReason = z.string().trim().min(1, 'say why the complaint moves').max(500);
export const reassignSchema = z.discriminatedUnion('reason', [
  z.strictObject({
    reason: z.literal('needs-authority'),
    requiredAuthority: z.number().int().positive().max(1_000_000_000),
    note: reassignReason,
  }),
  z.strictObject({
    reason: z.literal('manual'),
    memberId: z.string().min(1).max(100).optional(),
    note: reassignReason,
  }),
]);

export const promoteSchema = z.strictObject({
  label: complaintLabel.exclude(['none']).default('explicit'),
  category: complaintCategory.optional(),
  priority: priority.optional(),
});
export const dismissSchema = z.strictObject({ reason: z.string().max(500).optional() });
export const listSignalsSchema = z.strictObject({
  q: z.string().max(200).optional(),
  channel: z.enum(['web', 'phone', 'email', 'social']).optional(),
  dismissed: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
