import { MAX_COMPLAINT_TEXT } from './submit-complaint.dto';

export type Lang = 'nl' | 'en';
export const LANGS: Lang[] = ['nl', 'en'];

/** `?lang=` wins, then the form's own `lang` field, then the browser's Accept-Language (by q-value); Dutch by default. */
export function pickLanguage(explicit: unknown, acceptLanguage: string | undefined): Lang {
  for (const value of [explicit].flat()) if (value === 'nl' || value === 'en') return value;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.split('=')[1] ?? 1);
      return { lang: tag.split('-')[0], q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return (ranked.find((x) => x.lang === 'nl' || x.lang === 'en')?.lang as Lang | undefined) ?? 'nl';
}

const nl = {
  title: 'Klacht indienen',
  intro: 'Vertel ons wat er mis ging. We nemen binnen een uur contact met u op met de volgende stap.',
  switchTo: 'English',
  required: 'verplicht',
  optional: 'optioneel',
  name: 'Naam',
  contact: 'E-mailadres of telefoonnummer',
  contactHint: 'Zodat we u kunnen antwoorden.',
  customerNumber: 'Klant- of ordernummer',
  customerPicked: 'Waar gaat het over?',
  picked: { complaint: 'Een klacht', question: 'Een vraag', feedback: 'Feedback', other: 'Iets anders' },
  text: 'Uw bericht',
  consent: 'Ik geef toestemming om mijn gegevens en dit bericht op te slaan om mijn klacht te behandelen.',
  honeypot: 'Laat dit veld leeg',
  send: 'Versturen',
  summary: 'Er ging iets mis. Controleer deze velden:',
  errorPrefix: 'Fout',
  errors: {
    'name.required': 'Vul uw naam in.',
    'name.tooLong': 'Uw naam mag hoogstens 200 tekens hebben.',
    'contact.required': 'Vul een e-mailadres of telefoonnummer in.',
    'contact.invalid': 'Dit is geen geldig e-mailadres of telefoonnummer.',
    'contact.tooLong': 'Dit is te lang voor een e-mailadres of telefoonnummer.',
    'customerNumber.tooLong': 'Een klant- of ordernummer heeft hoogstens 64 tekens.',
    'customerPicked.invalid': 'Kies een van de mogelijkheden.',
    'text.required': 'Beschrijf uw klacht.',
    'text.tooLong': `Uw bericht mag hoogstens ${MAX_COMPLAINT_TEXT} tekens hebben.`,
    'consent.required': 'Zonder uw toestemming kunnen we uw klacht niet opslaan en behandelen.',
  } as Record<string, string>,
  thanks: 'Bedankt, we hebben uw bericht ontvangen',
  yourReference: 'Uw referentie',
  next: 'U krijgt binnen een uur een bevestiging met de volgende stap. Noem deze referentie als u contact met ons opneemt.',
  another: 'Nog een bericht versturen',
  rateLimited: 'U heeft in korte tijd te veel berichten verstuurd. Probeer het over een minuut opnieuw.',
  rateLimitedTitle: 'Even geduld',
};

const en: typeof nl = {
  title: 'Submit a complaint',
  intro: 'Tell us what went wrong. We will get back to you within an hour with the next step.',
  switchTo: 'Nederlands',
  required: 'required',
  optional: 'optional',
  name: 'Name',
  contact: 'E-mail address or phone number',
  contactHint: 'So we can answer you.',
  customerNumber: 'Customer or order number',
  customerPicked: 'What is it about?',
  picked: { complaint: 'A complaint', question: 'A question', feedback: 'Feedback', other: 'Something else' },
  text: 'Your message',
  consent: 'I agree that my details and this message are stored to handle my complaint.',
  honeypot: 'Leave this field empty',
  send: 'Send',
  summary: 'Something is not right. Please check these fields:',
  errorPrefix: 'Error',
  errors: {
    'name.required': 'Enter your name.',
    'name.tooLong': 'Your name can have at most 200 characters.',
    'contact.required': 'Enter an e-mail address or phone number.',
    'contact.invalid': 'This is not a valid e-mail address or phone number.',
    'contact.tooLong': 'This is too long for an e-mail address or phone number.',
    'customerNumber.tooLong': 'A customer or order number has at most 64 characters.',
    'customerPicked.invalid': 'Choose one of the options.',
    'text.required': 'Describe your complaint.',
    'text.tooLong': `Your message can have at most ${MAX_COMPLAINT_TEXT} characters.`,
    'consent.required': 'Without your consent we cannot store and handle your complaint.',
  },
  thanks: 'Thank you, we received your message',
  yourReference: 'Your reference',
  next: 'You will get a confirmation with the next step within an hour. Please mention this reference when you contact us.',
  another: 'Send another message',
  rateLimited: 'You sent too many messages in a short time. Please try again in a minute.',
  rateLimitedTitle: 'Please wait',
};

export const TEXTS: Record<Lang, typeof nl> = { nl, en };
