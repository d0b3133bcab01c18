import { createContext, useContext } from 'react';
// Type-only: the taxonomy's slugs come from the contracts, and nothing of the server is bundled.
import type { ClassifiedCategory, ComplaintCategory, ComplaintLabel, Priority } from '@klaxon/contracts';

const en = {
  appName: 'Klaxon console',
  skip: 'Skip to content',
  signIn: 'Sign in',
  signOut: 'Sign out',
  email: 'E-mail',
  password: 'Password',
  signInFailed: 'Sign-in failed',
  language: 'Language',
  navQueue: 'Webcare queue',
  navMine: 'My complaints',
  navTeam: 'Team lead',
  navKpis: 'KPIs',
  navCustomer: 'Customer',
  live: 'Live',
  liveOff: 'Reconnecting…',
  loading: 'Loading…',
  nothing: 'Nothing here right now.',
  error: 'Something went wrong',
  forbidden: 'You have no access to this complaint: it belongs to another team.',
  notFound: 'Not found.',
  complaints: 'Complaints',
  signals: 'Posts the classifier did not call a complaint',
  reach: 'Reach',
  followers: 'followers',
  openPost: 'Open post',
  promote: 'Promote to complaint',
  promoteAs: 'Promote as',
  dismiss: 'Dismiss',
  draftReply: 'Draft public reply',
  sendReply: 'Send reply',
  saveDraft: 'Save draft',
  draftSaved: 'Draft saved',
  charsLeft: 'characters left',
  priority: 'Priority',
  category: 'Category',
  channel: 'Channel',
  status: 'Status',
  received: 'Received',
  owner: 'Owner',
  team: 'Team',
  customer: 'Customer',
  deadline: 'Next deadline',
  breached: 'breached',
  left: 'left',
  open: 'Open',
  history: 'History',
  actions: 'Actions',
  reply: 'Reply to the customer',
  message: 'Message',
  waitOnCustomer: 'Wait on customer',
  resolve: 'Resolve',
  founded: 'The complaint was founded',
  resolution: 'Resolution',
  reopen: 'Reopen',
  handBack: 'Hand back',
  reason: 'Reason',
  correct: 'Correct labels',
  complaintLabel: 'Complaint',
  save: 'Save',
  done: 'Done',
  reassign: 'Reassign',
  reassignTo: 'Reassign to',
  leastLoaded: 'Least-loaded member (router decides)',
  incoming: 'Incoming, live',
  escalations: 'Escalations waiting for a decision',
  atRisk: 'At risk of breach',
  load: 'Queues and load',
  member: 'Member',
  openCount: 'Open',
  capacity: 'Capacity',
  queued: 'Waiting in queue',
  newBadge: 'new',
  why: 'Why',
  assignmentReason: 'Assigned because',
  clocks: 'Clocks',
  identities: 'Identities',
  links: 'Links and their evidence',
  undoLink: 'Undo link',
  undone: 'undone',
  evidence: 'Evidence',
  customerId: 'Customer id',
  show: 'Show',
  kpiTimes: 'Median time (minutes) per day',
  kpiWithinSla: 'Share within SLA per channel',
  kpiBacklog: 'Backlog and CSAT per category',
  rootCauses: 'Root-cause reviews and spikes',
  acknowledgement: 'Acknowledgement',
  ownerClock: 'Owner',
  firstResponse: 'First response',
  resolutionClock: 'Resolution',
  backlog: 'Backlog',
  csat: 'CSAT',
  withinSla: 'Within SLA',
  count: 'Complaints',
  viewCustomer: 'View customer',
  signedInAs: 'Signed in as',
  role: 'Role',
  navReviews: 'Root causes',
  opened: 'Opened',
  myFollowUps: 'My follow-ups after a low CSAT',
  followUp: 'Follow-up',
  followUpBy: 'Follow-up by',
  followUpDue: 'Follow-up due',
  followUpDone: 'done',
  recordOutcome: 'Record the follow-up',
  outcome: 'Outcome',
  outcomeContacted: 'Contacted the customer',
  outcomeRemedy: 'Offered a remedy',
  outcomeReopened: 'Reopened the complaint for its owner',
  note: 'Note',
  stillOpen: 'customer says it is still open',
  onlyOwnerOrLead: 'Only its owner or a team lead can record this.',
  reviews: 'Root-cause reviews',
  spikes: 'Spikes: proposed incidents',
  concluded: 'Concluded and closed',
  kindReview: 'review',
  kindSpike: 'spike',
  due: 'Due',
  overdue: 'overdue',
  noOwner: 'no owner',
  linked: 'Linked complaints',
  howTrigger: 'opened it',
  howLater: 'came in later',
  recordCause: 'Record the cause',
  cause: 'Cause found',
  measure: 'Measure taken',
  reviewFounded: 'The complaints were founded',
  foundedLabel: 'Founded',
  total: 'Total',
  foundedYes: 'founded',
  foundedNo: 'not founded',
  proposedIncident:
    'Proposed incident: many customers have this problem right now. Inform those who complained; customers who did not complain are not written to.',
  informCustomers: 'Inform the customers who complained',
  informNote: 'A line of your own (optional)',
  informed: 'Notices',
  noticesQueued: 'queued',
  noticesSent: 'sent',
  noticesWebcare: 'for webcare',
  noticesManual: 'by hand',
  closeSpike: 'Close the spike',
  kpiReviews: 'Root-cause reviews (last 30 days)',
  reviewsOpen: 'Open',
  reviewsOverdue: 'Overdue',
  reviewsCompleted: 'Completed',
  onTime: 'on time',
  foundedRate: 'Founded',
  spikesFlagged: 'Spikes',
  kpiFollowUps: 'Follow-ups',
  withinTime: 'within time',
  demoHint: 'Demo accounts: webcare@, handler@, senior@, lead@, admin@demo.local — password demo',
};
type Dict = typeof en;

const nl: Dict = {
  appName: 'Klaxon console',
  skip: 'Naar de inhoud',
  signIn: 'Inloggen',
  signOut: 'Uitloggen',
  email: 'E-mailadres',
  password: 'Wachtwoord',
  signInFailed: 'Inloggen mislukt',
  language: 'Taal',
  navQueue: 'Webcare-wachtrij',
  navMine: 'Mijn klachten',
  navTeam: 'Teamleider',
  navKpis: 'KPI’s',
  navCustomer: 'Klant',
  live: 'Live',
  liveOff: 'Opnieuw verbinden…',
  loading: 'Laden…',
  nothing: 'Hier is nu niets.',
  error: 'Er ging iets mis',
  forbidden: 'Je hebt geen toegang tot deze klacht: die hoort bij een ander team.',
  notFound: 'Niet gevonden.',
  complaints: 'Klachten',
  signals: 'Berichten die de classifier geen klacht vond',
  reach: 'Bereik',
  followers: 'volgers',
  openPost: 'Bericht openen',
  promote: 'Tot klacht maken',
  promoteAs: 'Maak klacht als',
  dismiss: 'Negeren',
  draftReply: 'Openbaar antwoord opstellen',
  sendReply: 'Antwoord versturen',
  saveDraft: 'Concept bewaren',
  draftSaved: 'Concept bewaard',
  charsLeft: 'tekens over',
  priority: 'Prioriteit',
  category: 'Categorie',
  channel: 'Kanaal',
  status: 'Status',
  received: 'Ontvangen',
  owner: 'Eigenaar',
  team: 'Team',
  customer: 'Klant',
  deadline: 'Eerstvolgende deadline',
  breached: 'verlopen',
  left: 'over',
  open: 'Openen',
  history: 'Geschiedenis',
  actions: 'Acties',
  reply: 'Klant antwoorden',
  message: 'Bericht',
  waitOnCustomer: 'Wachten op klant',
  resolve: 'Afhandelen',
  founded: 'De klacht was gegrond',
  resolution: 'Oplossing',
  reopen: 'Heropenen',
  handBack: 'Teruggeven',
  reason: 'Reden',
  correct: 'Labels corrigeren',
  complaintLabel: 'Klacht',
  save: 'Opslaan',
  done: 'Gedaan',
  reassign: 'Toewijzen',
  reassignTo: 'Toewijzen aan',
  leastLoaded: 'Minst belaste medewerker (router beslist)',
  incoming: 'Binnenkomend, live',
  escalations: 'Escalaties die op een besluit wachten',
  atRisk: 'Dreigen te verlopen',
  load: 'Wachtrijen en belasting',
  member: 'Medewerker',
  openCount: 'Open',
  capacity: 'Capaciteit',
  queued: 'Wacht in de rij',
  newBadge: 'nieuw',
  why: 'Waarom',
  assignmentReason: 'Toegewezen omdat',
  clocks: 'Klokken',
  identities: 'Identiteiten',
  links: 'Koppelingen en hun bewijs',
  undoLink: 'Koppeling ongedaan maken',
  undone: 'ongedaan',
  evidence: 'Bewijs',
  customerId: 'Klantnummer',
  show: 'Tonen',
  kpiTimes: 'Mediane tijd (minuten) per dag',
  kpiWithinSla: 'Aandeel binnen SLA per kanaal',
  kpiBacklog: 'Achterstand en CSAT per categorie',
  rootCauses: 'Oorzaakanalyses en pieken',
  acknowledgement: 'Ontvangstbevestiging',
  ownerClock: 'Eigenaar',
  firstResponse: 'Eerste reactie',
  resolutionClock: 'Afhandeling',
  backlog: 'Achterstand',
  csat: 'CSAT',
  withinSla: 'Binnen SLA',
  count: 'Klachten',
  viewCustomer: 'Klant bekijken',
  signedInAs: 'Ingelogd als',
  role: 'Rol',
  navReviews: 'Oorzaken',
  opened: 'Geopend',
  myFollowUps: 'Mijn nazorg na een lage CSAT',
  followUp: 'Nazorg',
  followUpBy: 'Nazorg door',
  followUpDue: 'Nazorg uiterlijk',
  followUpDone: 'afgerond',
  recordOutcome: 'Nazorg vastleggen',
  outcome: 'Uitkomst',
  outcomeContacted: 'Klant gesproken',
  outcomeRemedy: 'Oplossing of vergoeding aangeboden',
  outcomeReopened: 'Klacht heropend voor de eigenaar',
  note: 'Notitie',
  stillOpen: 'klant zegt: nog niet opgelost',
  onlyOwnerOrLead: 'Alleen de eigenaar of een teamleider kan dit vastleggen.',
  reviews: 'Oorzaakanalyses',
  spikes: 'Pieken: voorgestelde incidenten',
  concluded: 'Afgerond en gesloten',
  kindReview: 'analyse',
  kindSpike: 'piek',
  due: 'Uiterlijk',
  overdue: 'te laat',
  noOwner: 'geen eigenaar',
  linked: 'Gekoppelde klachten',
  howTrigger: 'aanleiding',
  howLater: 'later binnengekomen',
  recordCause: 'Oorzaak vastleggen',
  cause: 'Gevonden oorzaak',
  measure: 'Genomen maatregel',
  reviewFounded: 'De klachten waren gegrond',
  foundedLabel: 'Gegrond',
  total: 'Totaal',
  foundedYes: 'gegrond',
  foundedNo: 'ongegrond',
  proposedIncident:
    'Voorgesteld incident: veel klanten hebben nu dit probleem. Informeer wie klaagde; klanten die niet klaagden worden niet aangeschreven.',
  informCustomers: 'Klagers informeren',
  informNote: 'Eigen toelichting (optioneel)',
  informed: 'Berichten',
  noticesQueued: 'in de wachtrij',
  noticesSent: 'verzonden',
  noticesWebcare: 'voor webcare',
  noticesManual: 'handmatig',
  closeSpike: 'Piek sluiten',
  kpiReviews: 'Oorzaakanalyses (laatste 30 dagen)',
  reviewsOpen: 'Open',
  reviewsOverdue: 'Te laat',
  reviewsCompleted: 'Afgerond',
  onTime: 'op tijd',
  foundedRate: 'Gegrond',
  spikesFlagged: 'Pieken',
  kpiFollowUps: 'Nazorg',
  withinTime: 'op tijd',
  demoHint: 'Demo-accounts: webcare@, handler@, senior@, lead@, admin@demo.local — wachtwoord demo',
};

export const DICTIONARIES = { en, nl };
export type Lang = keyof typeof DICTIONARIES;
export type T = (key: keyof Dict) => string;

/** The browser's preference (Dutch for any nl-*), unless the person chose otherwise. */
export function initialLang(): Lang {
  const saved = localStorage.getItem('klaxon.lang');
  if (saved === 'nl' || saved === 'en') return saved;
  return (navigator.languages ?? [navigator.language]).some((l) => l.toLowerCase().startsWith('nl'))
    ? 'nl'
    : 'en';
}

export const I18n = createContext<{ lang: Lang; t: T; setLang(l: Lang): void }>({
  lang: 'en',
  t: (k) => en[k],
  setLang: () => undefined,
});
export const useI18n = () => useContext(I18n);

/**
 * What people read for the taxonomy's slugs. Each is a Record over the contracts' own type, so a new
 * category, label or priority does not type-check (`tsc -p apps/console/tsconfig.web.json`) until it has
 * a Dutch and an English name here.
 */
interface TaxonomyNames {
  category: Record<ClassifiedCategory, string>;
  label: Record<ComplaintLabel, string>;
  priority: Record<Priority, string>;
}
const TAXONOMY_NAMES: Record<Lang, TaxonomyNames> = {
  en: {
    category: {
      delivery: 'Delivery',
      product: 'Product',
      communication: 'Communication',
      'price-billing': 'Price & billing',
      staff: 'Staff',
      uncategorised: 'Uncategorised',
    },
    label: { explicit: 'explicit', latent: 'latent', none: 'not a complaint' },
    priority: { critical: 'critical', high: 'high', normal: 'normal' },
  },
  nl: {
    category: {
      delivery: 'Bezorging',
      product: 'Product',
      communication: 'Communicatie',
      'price-billing': 'Prijs & facturatie',
      staff: 'Medewerkers',
      uncategorised: 'Zonder categorie',
    },
    label: { explicit: 'expliciet', latent: 'latent', none: 'geen klacht' },
    priority: { critical: 'kritiek', high: 'hoog', normal: 'normaal' },
  },
};

/** A slug's name in the reader's language; a value from before the taxonomy is shown as it is. */
function nameOf<K extends string>(names: Record<K, string>, slug: string | null | undefined): string {
  if (!slug) return '—';
  return Object.hasOwn(names, slug) ? names[slug as K] : slug;
}

/** The taxonomy in the reader's language: names for slugs, and the choices a person may pick from. */
export function useTaxonomy() {
  const { lang } = useI18n();
  const names = TAXONOMY_NAMES[lang];
  return {
    category: (slug: string | null | undefined) => nameOf(names.category, slug),
    label: (slug: string | null | undefined) => nameOf(names.label, slug),
    priority: (slug: string | null | undefined) => nameOf(names.priority, slug),
    /** A person corrects to a category, never to "uncategorised". */
    categoryChoices: (Object.keys(names.category) as ClassifiedCategory[])
      .filter((c): c is ComplaintCategory => c !== 'uncategorised')
      .map((value) => ({ value, label: names.category[value] })),
    labelChoices: (Object.keys(names.label) as ComplaintLabel[]).map((value) => ({
      value,
      label: names.label[value],
    })),
    priorityChoices: (Object.keys(names.priority) as Priority[]).map((value) => ({
      value,
      label: names.priority[value],
    })),
  };
}

export function formatTime(iso: string, lang: Lang): string {
  return new Date(iso).toLocaleString(lang === 'nl' ? 'nl-NL' : 'en-GB', {
    dateStyle: 'short',
    timeStyle: 'short',
  });
}

/** "2 h 05 m left" / "breached 10 m ago" */
export function countdown(deadline: string, now: number, t: T): { text: string; overdue: boolean } {
  const ms = new Date(deadline).getTime() - now;
  const abs = Math.abs(ms);
  const d = Math.floor(abs / 86_400_000);
  const h = Math.floor((abs % 86_400_000) / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const s = Math.floor((abs % 60_000) / 1000);
  const span = d
    ? `${d}d ${h}h`
    : h
      ? `${h}h ${String(m).padStart(2, '0')}m`
      : `${m}m ${String(s).padStart(2, '0')}s`;
  return ms >= 0
    ? { text: `${span} ${t('left')}`, overdue: false }
    : { text: `${t('breached')} (${span})`, overdue: true };
}
