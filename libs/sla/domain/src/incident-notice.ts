import { messageLanguage, referenceFor, type CustomerMessage } from './acknowledgement';

/**
 * The message to the customers who complained about something many customers have now (a spike):
 * you are not the only one, we know, we are on it, nothing for you to do, quote your reference.
 * The team lead may add a line of their own (what is known, when it will be fixed).
 */
export function incidentNoticeMessage(input: {
  complaintId: string;
  language: string | null | undefined;
  customerName?: string | null;
  note?: string | null;
}): CustomerMessage {
  const lang = messageLanguage(input.language);
  const ref = referenceFor(input.complaintId);
  const note = input.note?.trim();
  if (lang === 'nl') {
    return {
      language: lang,
      subject: `Wij werken aan het probleem dat u meldde (${ref})`,
      text: [
        `Beste ${input.customerName?.trim() || 'klant'},`,
        '',
        `U meldde ons onlangs een probleem (referentie ${ref}). U bent niet de enige: meer klanten hebben op dit moment hetzelfde probleem. Wij zoeken uit wat de oorzaak is en werken aan een oplossing.`,
        ...(note ? ['', note] : []),
        '',
        `U hoeft niets te doen; wij houden u op de hoogte. Noem bij vragen uw referentie ${ref}.`,
        '',
        'Met vriendelijke groet,',
        'Klantenservice',
      ].join('\n'),
    };
  }
  return {
    language: lang,
    subject: `We are working on the problem you reported (${ref})`,
    text: [
      `Dear ${input.customerName?.trim() || 'customer'},`,
      '',
      `You recently told us about a problem (reference ${ref}). You are not the only one: more customers have the same problem right now. We are finding out what caused it and working on a solution.`,
      ...(note ? ['', note] : []),
      '',
      `There is nothing you need to do; we will keep you informed. Please quote ${ref} in any reply.`,
      '',
      'Kind regards,',
      'Customer service',
    ].join('\n'),
  };
}
