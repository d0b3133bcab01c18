import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { complaintIdFor } from '@klaxon/contracts';
import { normalisePhone, referenceFor } from '@klaxon/intake/domain';
import { ApiDoc } from '@klaxon/platform/openapi';
import { LOGGER } from '@klaxon/platform/runtime';
import type { Logger } from '@klaxon/platform/observability';
import { ComplaintIntakeService } from './complaint-intake.service';
import { pickLanguage, type Lang } from './complaint-form.i18n';
import { complaintFormPage, confirmationPage, rateLimitedPage, type FormState } from './complaint-form.page';
import { IntakeMetrics } from './intake.metrics';
import { MAX_COMPLAINT_TEXT } from './submit-complaint.dto';
import { SlidingWindowLimiter } from './rate-limiter';

export const FORM_RATE_LIMIT = Symbol('FORM_RATE_LIMIT');
export interface FormRateLimit {
  /** Form posts per client IP per window (default 10 a minute). */
  limit: number;
  windowMs: number;
}

/** The form post; messages are keys into complaint-form.i18n.ts. Also documents the form in /api/docs. */
export const complaintFormSchema = z.object({
  lang: z.enum(['nl', 'en']).optional(),
  name: z.string().trim().min(1, 'name.required').max(200, 'name.tooLong'),
  contact: z
    .string()
    .trim()
    .min(1, 'contact.required')
    .max(320, 'contact.tooLong')
    .describe('E-mail address or phone number'),
  customerNumber: z.string().trim().max(64, 'customerNumber.tooLong').optional(),
  customerPicked: z.enum(['complaint', 'question', 'feedback', 'other'], 'customerPicked.invalid').optional(),
  text: z.string().trim().min(1, 'text.required').max(MAX_COMPLAINT_TEXT, 'text.tooLong'),
  consent: z.literal('yes', 'consent.required'),
  website: z
    .string()
    .optional()
    .describe('Honeypot: people leave it empty (it is hidden); a filled one is treated as spam'),
});

const FIELDS = [
  'lang',
  'name',
  'contact',
  'customerNumber',
  'customerPicked',
  'text',
  'consent',
  'website',
] as const;
const html = 'text/html; charset=utf-8';
const emailShape = z.email();

/**
 * The public pages run no script and load nothing: a strict policy, never framed (clickjacking), never
 * sniffed into another type, no referrer, and no cache (what a person typed in may be on the page).
 */
const FORM_SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** The public HTML form: Dutch and English, server-side validation with the errors next to the fields, honeypot and rate limit. */
@Controller()
export class ComplaintFormController {
  private readonly limiter: SlidingWindowLimiter;

  constructor(
    private readonly intake: ComplaintIntakeService,
    private readonly metrics: IntakeMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(FORM_RATE_LIMIT) rateLimit: FormRateLimit,
  ) {
    this.limiter = new SlidingWindowLimiter(rateLimit.limit, rateLimit.windowMs);
  }

  @Get()
  @ApiDoc({
    summary: 'The public complaint form (HTML, Dutch or English by ?lang= or Accept-Language)',
    tags: ['form'],
    query: z.object({ lang: z.enum(['nl', 'en']).optional() }),
    responses: { 200: { description: 'The form', contentType: 'text/html' } },
  })
  async form(
    @Query('lang') lang: string | undefined,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await reply
      .status(200)
      .type(html)
      .headers(FORM_SECURITY_HEADERS)
      .header('content-language', pickLanguage(lang, acceptLanguage))
      .send(complaintFormPage(pickLanguage(lang, acceptLanguage)));
  }

  @Post('complaint-form')
  @HttpCode(200)
  @ApiDoc({
    summary: 'Post the public form',
    description:
      'Answers with the confirmation page and the reference, or the form again (400) with the errors next to the fields. At most 10 posts a minute per client IP (429 rate-limited).',
    tags: ['form'],
    body: complaintFormSchema,
    bodyContentType: 'application/x-www-form-urlencoded',
    responses: {
      200: { description: 'Confirmation page with the reference', contentType: 'text/html' },
      400: { description: 'The form with the errors next to the fields', contentType: 'text/html' },
      429: {
        description: 'Too many posts from this client (HTML, or JSON `rate-limited` when asked for JSON)',
      },
    },
  })
  async submit(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const values = formValues(body);
    const lang = pickLanguage(
      (request.query as Record<string, unknown> | undefined)?.lang ?? values.lang,
      request.headers['accept-language'],
    );
    void reply.headers(FORM_SECURITY_HEADERS);
    const send = (status: number, page: string) =>
      reply.status(status).type(html).header('content-language', lang).send(page);

    const limit = this.limiter.hit(request.ip);
    if (!limit.allowed) {
      this.metrics.spam.inc({ reason: 'rate-limited' });
      void reply.header('retry-after', String(limit.retryAfterSeconds));
      if (wantsJson(request.headers.accept)) {
        await reply.status(429).send({
          error: {
            code: 'rate-limited',
            message: `Too many posts; try again in ${limit.retryAfterSeconds} s`,
          },
        });
      } else {
        await send(429, rateLimitedPage(lang));
      }
      return;
    }

    if (values.website.trim()) {
      // A bot filled the hidden field: it gets what looks like success, nothing is stored.
      this.metrics.spam.inc({ reason: 'honeypot' });
      this.logger.info({ ip: request.ip }, 'form post with the honeypot filled: not stored');
      await send(
        200,
        confirmationPage(lang, referenceFor(complaintIdFor('web', `honeypot:${randomUUID()}`))),
      );
      return;
    }

    const { errors, contact } = validate(values);
    if (Object.keys(errors).length) {
      this.metrics.errors.inc({ channel: 'web', code: 'invalid-form' });
      await send(400, complaintFormPage(lang, { values, errors }));
      return;
    }
    const { id } = await this.intake.submit({
      channel: 'web',
      text: values.text,
      customerPicked: (values.customerPicked || 'complaint') as 'complaint',
      language: lang,
      customer: {
        name: values.name,
        ...contact,
        ...(values.customerNumber.trim() ? { customerNumber: values.customerNumber } : {}),
      },
    });
    await send(200, confirmationPage(lang, referenceFor(id)));
  }
}

function formValues(body: unknown): Record<(typeof FIELDS)[number], string> {
  const raw = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const first = (v: unknown) => String([v].flat()[0] ?? '');
  return Object.fromEntries(FIELDS.map((f) => [f, first(raw[f])])) as Record<(typeof FIELDS)[number], string>;
}

function validate(values: Record<string, string>): {
  errors: FormState['errors'];
  contact: { email?: string; phone?: string };
} {
  const errors: FormState['errors'] = {};
  const parsed = complaintFormSchema.safeParse({
    ...values,
    lang: undefined,
    customerPicked: values.customerPicked || undefined,
    customerNumber: values.customerNumber || undefined,
  });
  if (!parsed.success)
    for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
  const contact = values.contact.trim();
  if (errors.contact || !contact) return { errors, contact: {} };
  if (contact.includes('@')) {
    if (emailShape.safeParse(contact).success) return { errors, contact: { email: contact } };
  } else if (normalisePhone(contact)) {
    return { errors, contact: { phone: contact } };
  }
  errors.contact = 'contact.invalid';
  return { errors, contact: {} };
}

function wantsJson(accept: string | undefined): boolean {
  return Boolean(accept && /application\/json/.test(accept) && !/text\/html/.test(accept));
}

export type { Lang };
