import { DateTime } from 'luxon';
import { csatAsksForFollowUp } from '@klaxon/contracts';

/** The reference a customer quotes: `KLX-XXXX-XXXX` from the complaint id (same as the intake's). */
export function referenceFor(complaintId: string): string {
  const core = complaintId.replace(/^cmp_/, '').toUpperCase();
  return `KLX-${core.slice(0, 4)}-${core.slice(4, 8)}`;
}

export type MessageLanguage = 'nl' | 'en';

export function messageLanguage(language: string | null | undefined): MessageLanguage {
  return language?.toLowerCase().startsWith('nl') ? 'nl' : 'en';
}

export interface CustomerMessage {
  language: MessageLanguage;
  subject: string;
  text: string;
}

/** Formatted once per minute, zone and language: acknowledgements sent together mostly share their deadline's minute. */
const formattedWhen = new Map<string, string>();

function when(at: Date, timeZone: string, language: MessageLanguage): string {
  const key = `${Math.floor(at.getTime() / 60_000)}|${timeZone}|${language}`;
  let text = formattedWhen.get(key);
  if (text === undefined) {
    text = DateTime.fromJSDate(at, { zone: timeZone })
      .setLocale(language === 'nl' ? 'nl-NL' : 'en-GB')
      .toFormat(language === 'nl' ? "cccc d LLLL yyyy 'om' HH:mm" : "cccc d LLLL yyyy 'at' HH:mm");
    if (formattedWhen.size >= 10_000) formattedWhen.clear();
    formattedWhen.set(key, text);
  }
  return text;
}

/**
 * The automatic acknowledgement: the customer's name, the reference, what happens next and when
 * (the first-response deadline), in Dutch or English by the complaint's language.
 */
export function acknowledgementMessage(input: {
  complaintId: string;
  language: string | null | undefined;
  customerName?: string | null;
  ownerName?: string | null;
  firstResponseBy: Date;
  timeZone: string;
}): CustomerMessage {
  const lang = messageLanguage(input.language);
  const ref = referenceFor(input.complaintId);
  const by = when(input.firstResponseBy, input.timeZone, lang);
  if (lang === 'nl') {
    return {
      language: lang,
      subject: `Uw klacht is ontvangen (${ref})`,
      text: [
        `Beste ${input.customerName?.trim() || 'klant'},`,
        '',
        `Dank u wel voor uw bericht. Wij hebben uw klacht ontvangen onder referentie ${ref}.`,
        `Wat gebeurt er nu: ${input.ownerName ? `${input.ownerName} behandelt uw klacht` : 'een medewerker behandelt uw klacht'} en neemt uiterlijk ${by} contact met u op.`,
        `Noem bij vragen altijd uw referentie ${ref}.`,
        '',
        'Met vriendelijke groet,',
        'Klantenservice',
      ].join('\n'),
    };
  }
  return {
    language: lang,
    subject: `We have received your complaint (${ref})`,
    text: [
      `Dear ${input.customerName?.trim() || 'customer'},`,
      '',
      `Thank you for your message. We have registered your complaint under reference ${ref}.`,
      `What happens next: ${input.ownerName ? `${input.ownerName} is handling your complaint` : 'one of our team is handling your complaint'} and will get back to you by ${by}.`,
      `Please quote ${ref} in any reply.`,
      '',
      'Kind regards,',
      'Customer service',
    ].join('\n'),
  };
}

/** The satisfaction request after resolution: a score 1–5, a comment, or "still open". */
export function csatRequestMessage(input: {
  complaintId: string;
  language: string | null | undefined;
  customerName?: string | null;
  link?: string;
}): CustomerMessage {
  const lang = messageLanguage(input.language);
  const ref = referenceFor(input.complaintId);
  if (lang === 'nl') {
    return {
      language: lang,
      subject: `Hoe tevreden bent u over de afhandeling? (${ref})`,
      text: [
        `Beste ${input.customerName?.trim() || 'klant'},`,
        '',
        `Wij hebben uw klacht ${ref} afgehandeld. Hoe tevreden bent u, op een schaal van 1 tot 5? Een toelichting is welkom.`,
        'Is uw klacht volgens u nog niet opgelost? Laat het ons weten, dan pakken wij hem opnieuw op.',
        ...(input.link ? ['', input.link] : []),
      ].join('\n'),
    };
  }
  return {
    language: lang,
    subject: `How satisfied are you with how we handled it? (${ref})`,
    text: [
      `Dear ${input.customerName?.trim() || 'customer'},`,
      '',
      `We have resolved your complaint ${ref}. How satisfied are you, on a scale of 1 to 5? A comment is welcome.`,
      'If you feel it is still open, tell us and we will pick it up again.',
      ...(input.link ? ['', input.link] : []),
    ].join('\n'),
  };
}

/** CSAT is asked 24 hours after resolution (inside the 24–48 hour window). */
export const CSAT_REQUEST_DELAY_MS = 24 * 3_600_000;
/** A score at or below 3 opens a follow-up by a senior handler (so does "still open": see csatAsksForFollowUp). */
export function csatNeedsFollowUp(score: number): boolean {
  return csatAsksForFollowUp({ score });
}
