import type { ComplaintCategory } from '@klaxon/contracts';
import type { OrganisationConfig, Role, Team, TeamMember, WorkingHours } from './organisation';
import { alwaysOn, weekly } from './working-hours';

const TZ = 'Europe/Amsterdam';
const OFFICE = weekly(['mon', 'tue', 'wed', 'thu', 'fri'], '09:00-17:30', TZ);
const EARLY = weekly(['mon', 'tue', 'wed', 'thu', 'fri'], '07:30-16:00', TZ);
const WEEKEND_EVENINGS: WorkingHours = {
  timeZone: TZ,
  days: {
    mon: ['17:00-23:00'],
    tue: ['17:00-23:00'],
    wed: ['17:00-23:00'],
    thu: ['17:00-23:00'],
    fri: ['17:00-23:00'],
    sat: ['09:00-21:00'],
    sun: ['09:00-21:00'],
  },
};
/** Every team keeps one member on the on-call rota, so complaints are picked up at any hour. */
const ON_CALL = alwaysOn(TZ);

const ALL_CHANNELS = ['web', 'email', 'phone', 'social'];

function member(
  id: string,
  teamId: string,
  name: string,
  role: Role,
  o: {
    email?: string;
    languages?: string[];
    categories?: ComplaintCategory[];
    channels?: string[];
    capacity?: number;
    maxCompensation?: number;
    hours?: WorkingHours;
    capacityByChannel?: Record<string, number>;
  },
): TeamMember {
  return {
    id,
    teamId,
    name,
    email: o.email ?? `${id.replace(/^m-/, '')}@demo.local`,
    role,
    skills: {
      languages: o.languages ?? ['nl', 'en'],
      categories: o.categories ?? [],
      channels: o.channels ?? ALL_CHANNELS,
    },
    authority: {
      maxCompensation:
        o.maxCompensation ??
        (role === 'handler' ? 50 : role === 'senior' ? 250 : role === 'team-lead' ? 1_000 : 10_000),
    },
    capacity: o.capacity ?? (role === 'handler' ? 12 : role === 'senior' ? 8 : 4),
    ...(o.capacityByChannel ? { capacityByChannel: o.capacityByChannel } : {}),
    openCount: 0,
    lastAssignedAt: null,
    active: true,
    workingHours: o.hours ?? OFFICE,
    absences: [],
  };
}

const LEAD = 'm-lead';
const teams: Team[] = [
  { id: 'webcare', name: 'Webcare (social media)', leadId: LEAD },
  { id: 'logistics', name: 'Logistics & delivery', leadId: LEAD },
  { id: 'billing', name: 'Billing & payments', leadId: LEAD },
  { id: 'product', name: 'Product quality', leadId: LEAD },
  { id: 'customer-service', name: 'Customer service', leadId: LEAD },
];

const members: TeamMember[] = [
  // Team lead of every demo team, and the executive level.
  member(LEAD, 'customer-service', 'Lotte Visser', 'team-lead', { email: 'lead@demo.local', hours: OFFICE }),
  member('m-exec', 'customer-service', 'Pieter Bakker', 'executive', {
    email: 'executive@demo.local',
    hours: OFFICE,
  }),

  member('m-webcare-1', 'webcare', 'Sanne de Jong', 'handler', {
    email: 'webcare@demo.local',
    hours: ON_CALL,
    capacity: 20,
    capacityByChannel: { social: 15 },
  }),
  member('m-webcare-2', 'webcare', 'Daan Mulder', 'handler', { hours: WEEKEND_EVENINGS, capacity: 15 }),
  member('m-webcare-3', 'webcare', 'Emma Smit', 'handler', { languages: ['nl'], hours: EARLY, capacity: 15 }),
  member('m-webcare-senior', 'webcare', 'Thomas Meijer', 'senior', { hours: OFFICE }),

  member('m-logistics-1', 'logistics', 'Sanne Jansen', 'handler', { hours: ON_CALL }),
  member('m-logistics-2', 'logistics', 'Bram de Vries', 'handler', { languages: ['nl'], hours: EARLY }),
  member('m-logistics-3', 'logistics', 'Fleur van Dijk', 'handler', { hours: OFFICE }),
  member('m-logistics-senior', 'logistics', 'Ruben Bos', 'senior', { hours: OFFICE }),

  member('m-billing-1', 'billing', 'Julia Vos', 'handler', { hours: ON_CALL }),
  member('m-billing-2', 'billing', 'Lars Peters', 'handler', { hours: OFFICE }),
  member('m-billing-senior', 'billing', 'Anouk Hendriks', 'senior', { hours: OFFICE, maxCompensation: 500 }),

  member('m-product-1', 'product', 'Milan van Leeuwen', 'handler', { hours: ON_CALL }),
  member('m-product-2', 'product', 'Iris Dekker', 'handler', { languages: ['nl'], hours: OFFICE }),
  member('m-product-senior', 'product', 'Sem Brouwer', 'senior', { hours: OFFICE }),

  member('m-service-1', 'customer-service', 'Noor de Wit', 'handler', {
    email: 'handler@demo.local',
    hours: ON_CALL,
  }),
  member('m-service-2', 'customer-service', 'Jesse Dijkstra', 'handler', { hours: OFFICE }),
  member('m-service-3', 'customer-service', 'Sophie Smits', 'handler', {
    languages: ['nl'],
    hours: WEEKEND_EVENINGS,
  }),
  member('m-service-senior', 'customer-service', 'Luuk de Graaf', 'senior', { hours: OFFICE }),
];

/**
 * The demo company that ships with the repo: five teams with one lead (lead@demo.local leads them all),
 * handlers on office hours, early shifts and evenings, a senior per team with more authority, one
 * executive, and per team one member on the round-the-clock on-call rota so the demo routes at any hour.
 * Every category of the taxonomy has a rule to the team whose purpose it is (price-billing → billing,
 * delivery → logistics, product → product, communication and staff → customer service); social posts
 * go to webcare first. Only `uncategorised` falls through to the default team.
 */
export const DEMO_ORGANISATION: OrganisationConfig = {
  teams,
  members,
  defaultTeamId: 'customer-service',
  rules: [
    {
      id: 'social-to-webcare',
      description: 'Public posts are answered by webcare',
      match: { channels: ['social'] },
      teamId: 'webcare',
    },
    {
      id: 'critical-billing',
      description: 'Critical billing complaints need someone who may refund up to €500',
      match: { categories: ['price-billing'], priorities: ['critical'] },
      teamId: 'billing',
      requiredAuthority: 500,
    },
    { id: 'delivery', match: { categories: ['delivery'] }, teamId: 'logistics' },
    { id: 'billing', match: { categories: ['price-billing'] }, teamId: 'billing' },
    { id: 'product', match: { categories: ['product'] }, teamId: 'product' },
    {
      id: 'communication-and-staff',
      match: { categories: ['communication', 'staff'] },
      teamId: 'customer-service',
    },
  ],
};
