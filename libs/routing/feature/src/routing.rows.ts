import type { Absence, Role, Team, TeamMember } from '@klaxon/routing/domain';

/** Statuses in which a complaint still occupies its owner. */
export const CLOSED_STATUSES = ['resolved', 'closed', 'erased', 'signal'];

export interface MemberRow {
  id: string;
  team_id: string;
  name: string;
  email: string | null;
  role: Role;
  skills: TeamMember['skills'];
  capacity: number;
  capacity_by_channel: Record<string, number> | null;
  open_count: number;
  last_assigned_at: Date | string | null;
  active: boolean;
  time_zone: string;
  working_hours: TeamMember['workingHours']['days'];
  authority: TeamMember['authority'];
}

export interface AbsenceRow {
  id: string;
  member_id: string;
  starts_at: Date | string;
  ends_at: Date | string;
  replacement_id: string | null;
  reason: string | null;
}

export const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();

export function toAbsence(a: AbsenceRow): Absence {
  return {
    id: a.id,
    from: iso(a.starts_at),
    until: iso(a.ends_at),
    replacementId: a.replacement_id,
    ...(a.reason ? { reason: a.reason } : {}),
  };
}

export function toMember(
  m: MemberRow,
  absences: AbsenceRow[] = [],
  openByChannel?: Record<string, number>,
): TeamMember {
  return {
    id: m.id,
    teamId: m.team_id,
    name: m.name,
    email: m.email,
    role: m.role,
    skills: {
      languages: m.skills?.languages ?? [],
      categories: m.skills?.categories ?? [],
      channels: m.skills?.channels ?? [],
    },
    authority: { maxCompensation: Number(m.authority?.maxCompensation ?? 0) },
    capacity: Number(m.capacity),
    ...(m.capacity_by_channel ? { capacityByChannel: m.capacity_by_channel } : {}),
    openCount: Number(m.open_count),
    ...(openByChannel ? { openByChannel } : {}),
    lastAssignedAt: m.last_assigned_at ? new Date(m.last_assigned_at) : null,
    active: m.active,
    workingHours: { timeZone: m.time_zone, days: m.working_hours ?? {} },
    absences: absences.filter((a) => a.member_id === m.id).map(toAbsence),
  };
}

export interface TeamRow {
  id: string;
  name: string;
  lead_id: string | null;
  unit: string | null;
}

export function toTeam(t: TeamRow): Team {
  return { id: t.id, name: t.name, leadId: t.lead_id ?? '', ...(t.unit ? { unit: t.unit } : {}) };
}
