import { Body, Controller, Get, Header, HttpCode, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { referenceFor } from '@klaxon/intake/domain';
import { ComplaintIntakeService } from './complaint-intake.service';
import { complaintFormPage, confirmationPage, type FormState } from './complaint-form.page';
import { MAX_COMPLAINT_TEXT } from './submit-complaint.dto';

const formSchema = z.object({
  name: z.string().trim().max(200, 'Maximaal 200 tekens / At most 200 characters').optional(),
  email: z.union([z.literal(''), z.email('Geen geldig e-mailadres / Not a valid e-mail address')]).optional(),
  phone: z.string().trim().max(40).optional(),
  customerNumber: z.string().trim().max(64).optional(),
  customerPicked: z.enum(['complaint', 'question', 'feedback']).optional(),
  text: z
    .string()
    .trim()
    .min(1, 'Beschrijf uw klacht / Please describe your complaint')
    .max(MAX_COMPLAINT_TEXT, `Maximaal ${MAX_COMPLAINT_TEXT} tekens / At most ${MAX_COMPLAINT_TEXT} characters`),
});

/** The public HTML form: server-side validation with the errors next to the fields. */
@Controller()
export class ComplaintFormController {
  constructor(private readonly intake: ComplaintIntakeService) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  form(): string {
    return complaintFormPage();
  }

  @Post('complaint-form')
  @HttpCode(200)
  async submit(@Body() body: Record<string, string> | undefined, @Res() reply: FastifyReply): Promise<void> {
    const values = Object.fromEntries(Object.entries(body ?? {}).map(([k, v]) => [k, String(v)]));
    const parsed = formSchema.safeParse(values);
    const errors: FormState['errors'] = {};
    if (!parsed.success) for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
    if (parsed.success && !parsed.data.email && !parsed.data.phone) {
      errors.email = 'Vul een e-mailadres of telefoonnummer in / Give an e-mail address or phone number';
    }
    if (!parsed.success || Object.keys(errors).length) {
      await reply.status(400).type('text/html; charset=utf-8').send(complaintFormPage({ values, errors }));
      return;
    }
    const d = parsed.data;
    const { id } = await this.intake.submit({
      channel: 'web',
      text: d.text,
      customerPicked: d.customerPicked,
      customer: { name: d.name || undefined, email: d.email || undefined, phone: d.phone || undefined, customerNumber: d.customerNumber || undefined },
    });
    await reply.status(200).type('text/html; charset=utf-8').send(confirmationPage(referenceFor(id)));
  }
}
