import type { Channel, ClassifiedCategory, Priority } from '@klaxon/contracts';

export type Role = 'handler' | 'senior' | 'team-lead' | 'executive';
export const ROLES: readonly Role[] = ['handler', 'senior', 'team-lead', 'executive'];
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/**
 * When someone works, in their own time zone. Each day lists `HH:mm-HH:mm` intervals; an interval that
 * ends before it starts (`22:00-06:00`) runs over midnight into the next day; `24:00` is the end of the day.
 */
export interface WorkingHours {
  timeZone: string;
  days: Partial<Record<Weekday, string[]>>;
}

/** A period a member is away; their open complaints go to the replacement (or back to the team). */
export interface Absence {
  id?: string;
  from: string;
  until: string;
  replacementId?: string | null;
  reason?: string;
}

export interface Skills {
  /** Language codes (`nl`, `en`). Empty: any language. */
  languages: string[];
  /** Complaint categories (the taxonomy's). Empty: any category. */
  categories: ClassifiedCategory[];
  /** Channels. Empty: any channel. */
  channels: string[];
}

/** What a member may decide on their own, e.g. compensation up to an amount (in euros). */
export interface Authority {
  maxCompensation: number;
}

export interface TeamMember {
  id: string;
  teamId: string;
  name: string;
  email?: string | null;
  role: Role;
  skills: Skills;
  authority: Authority;
  /** Open complaints at once, across channels. */
  capacity: number;
  /** Optional tighter limits per channel (e.g. at most 3 social posts at once). */
  capacityByChannel?: Partial<Record<string, number>>;
  openCount: number;
  openByChannel?: Partial<Record<string, number>>;
  lastAssignedAt: Date | null;
  /** Switched off by an admin (left the company, not taking complaints). */
  active: boolean;
  workingHours: WorkingHours;
  absences: Absence[];
}

export interface Team {
  id: string;
  name: string;
  leadId: string;
  /** The organisational unit this team serves, for decentral handling (`teamFromUnit` rules). */
  unit?: string;
}

/** Which complaints a team takes. Every listed condition must hold; an absent or empty list matches anything. */
export interface RuleMatch {
  /** The taxonomy's categories (`CLASSIFIED_CATEGORIES`); rule validation refuses any other. */
  categories?: ClassifiedCategory[];
  channels?: string[];
  languages?: string[];
  priorities?: Priority[];
  segments?: string[];
  units?: string[];
}

export interface RoutingRule {
  id: string;
  description?: string;
  match: RuleMatch;
  /** The team that takes what matches. */
  teamId?: string;
  /** Decentral handling: the team whose `unit` is the unit where the complaint landed. */
  teamFromUnit?: boolean;
  /** The authority (compensation in euros) an owner needs for what matches. */
  requiredAuthority?: number;
}

export interface OrganisationConfig {
  teams: Team[];
  members: TeamMember[];
  /** Ordered: the first rule that matches decides. */
  rules: RoutingRule[];
  /** Where a complaint goes when no rule matches. */
  defaultTeamId: string;
}

export interface RoutingRequest {
  complaintId: string;
  category: string;
  channel: Channel | string;
  language: string;
  priority: Priority;
  unit?: string;
  segment?: string;
  /** Authority the owner needs (compensation in euros); 0 or absent: any. */
  requiredAuthority?: number;
}

export interface EscalationPolicy {
  /** This many complaints of one customer within the window (this one included) escalate to the team lead. */
  repeatCount: number;
  repeatWindowDays: number;
  /** A public post by an account with at least this reach is a reputational risk. */
  reachThreshold: number;
}

export const DEFAULT_ESCALATION_POLICY: EscalationPolicy = {
  repeatCount: 3,
  repeatWindowDays: 90,
  reachThreshold: 10_000,
};
