import type { TeamMember } from './organisation';
import { compareLoad } from './choose-owner';
import { isAbsentAt, isWorkingAt } from './working-hours';

export interface FollowUpOwnerChoice {
  member: TeamMember | null;
  /** Who it went to: a senior, or the team lead when no senior can take it. */
  role: 'senior' | 'team-lead' | null;
  chosenBecause: string;
}

/**
 * Who does the follow-up a low CSAT asks for: a senior handler of the complaint's team (active, not
 * absent), those on shift first, the one with the fewest open follow-ups, then the least loaded; when
 * the team has no such senior, its team lead. The follow-up has its own clock, so someone off shift
 * right now may still get it: better a named owner than none.
 */
export function chooseFollowUpOwner(
  team: readonly TeamMember[],
  lead: TeamMember | undefined,
  openFollowUps: ReadonlyMap<string, number>,
  now: Date,
): FollowUpOwnerChoice {
  const seniors = team.filter((m) => m.role === 'senior' && m.active && !isAbsentAt(m.absences, now));
  if (seniors.length) {
    const onShift = seniors.filter((m) => isWorkingAt(m.workingHours, now));
    const pool = onShift.length ? onShift : seniors;
    const [member] = [...pool].sort(
      (a, b) => (openFollowUps.get(a.id) ?? 0) - (openFollowUps.get(b.id) ?? 0) || compareLoad(a, b),
    );
    const open = openFollowUps.get(member.id) ?? 0;
    const which =
      pool.length === 1
        ? `the only senior ${onShift.length ? 'on shift' : 'available'}`
        : `fewest open follow-ups (${open}) of ${pool.length} seniors ${onShift.length ? 'on shift' : 'available'}`;
    return { member, role: 'senior', chosenBecause: `${which} in ${member.teamId}` };
  }
  const teamId = team[0]?.teamId ?? lead?.teamId ?? 'the team';
  const why = team.some((m) => m.role === 'senior')
    ? `no senior of ${teamId} is available (inactive or absent)`
    : `${teamId} has no senior`;
  if (lead && lead.active) return { member: lead, role: 'team-lead', chosenBecause: `${why}: the team lead` };
  return { member: null, role: null, chosenBecause: `${why} and no active team lead` };
}
