import type { RoutingRequest, TeamMember } from './organisation';
import { unavailableBecause } from './working-hours';

export interface Candidate {
  memberId: string;
  load: number;
}

export interface OwnerChoice {
  member: TeamMember | null;
  /** The members that could have taken it (available, skilled, authorised), with their open complaints. */
  candidates: Candidate[];
  chosenBecause: string;
  /** Nobody available in the team has the authority the request needs: the owner got it and the lead is escalated to. */
  exceedsAuthority: boolean;
}

/** Handlers and seniors own complaints; team leads and executives are escalated to. */
export function isAssignable(m: Pick<TeamMember, 'role'>): boolean {
  return m.role === 'handler' || m.role === 'senior';
}

type SkillKey = 'languages' | 'categories' | 'channels';
const SKILLS: Array<{ key: SkillKey; value: (r: RoutingRequest) => string }> = [
  { key: 'languages', value: (r) => r.language },
  { key: 'categories', value: (r) => r.category },
  { key: 'channels', value: (r) => r.channel },
];

function has(list: readonly string[], value: string): boolean {
  return list.length === 0 || list.some((v) => v.toLowerCase() === value.toLowerCase());
}

function underCapacity(m: TeamMember, channel: string): boolean {
  if (m.openCount >= m.capacity) return false;
  const perChannel = m.capacityByChannel?.[channel];
  return perChannel === undefined || (m.openByChannel?.[channel] ?? 0) < perChannel;
}

/** Least loaded (share of capacity, then open count), ties by longest idle (never assigned first), then id. */
export function compareLoad(a: TeamMember, b: TeamMember): number {
  const ra = a.capacity > 0 ? a.openCount / a.capacity : 1;
  const rb = b.capacity > 0 ? b.openCount / b.capacity : 1;
  if (ra !== rb) return ra - rb;
  if (a.openCount !== b.openCount) return a.openCount - b.openCount;
  const ia = a.lastAssignedAt?.getTime() ?? -Infinity;
  const ib = b.lastAssignedAt?.getTime() ?? -Infinity;
  if (ia !== ib) return ia - ib;
  return a.id.localeCompare(b.id);
}

/**
 * Picks the owner inside a team: available (active, not absent, working now, under capacity), with the
 * needed skills and enough authority; least loaded first, ties by longest idle. A skill nobody in the team
 * has is not required (else such complaints would wait forever). When no available member has enough
 * authority, the best available skilled member gets it and `exceedsAuthority` says the lead must be told.
 * `member: null` means: wait in the team queue.
 */
export function chooseOwner(
  members: readonly TeamMember[],
  req: RoutingRequest,
  now: Date = new Date(),
): OwnerChoice {
  const team = members.filter(isAssignable);
  const waived = SKILLS.filter((s) => !team.some((m) => m.active && has(m.skills[s.key], s.value(req)))).map(
    (s) => `${s.key.replace(/s$/, '')} ${s.value(req)}`,
  );
  const required = SKILLS.filter((s) => !waived.includes(`${s.key.replace(/s$/, '')} ${s.value(req)}`));
  const skilled = team.filter((m) => required.every((s) => has(m.skills[s.key], s.value(req))));
  const available = skilled.filter(
    (m) => unavailableBecause(m, now) === null && underCapacity(m, req.channel),
  );
  const needed = req.requiredAuthority ?? 0;
  const authorised = available.filter((m) => m.authority.maxCompensation >= needed);
  const pool = authorised.length > 0 ? authorised : available;
  const candidates = pool.map((m) => ({ memberId: m.id, load: m.openCount }));

  if (pool.length === 0) {
    const why =
      team.length === 0
        ? 'the team has no handlers'
        : skilled.length === 0
          ? 'nobody in the team has the needed skills'
          : 'nobody with the needed skills is available (off shift, absent or at capacity)';
    return { member: null, candidates, chosenBecause: why, exceedsAuthority: false };
  }
  const [member] = [...pool].sort(compareLoad);
  const exceedsAuthority = authorised.length === 0 && needed > 0;
  const parts = [
    pool.length === 1 ? 'the only available member' : `least loaded of ${pool.length} available`,
    `with ${required.map((s) => s.value(req)).join('/') || 'any skills'}`,
    `(${member.openCount} open of ${member.capacity}${member.lastAssignedAt ? `, last assigned ${member.lastAssignedAt.toISOString()}` : ', not assigned before'})`,
  ];
  if (needed > 0)
    parts.push(
      exceedsAuthority
        ? `; nobody available may grant €${needed}, escalated to the team lead`
        : `; may grant up to €${member.authority.maxCompensation} (needs €${needed})`,
    );
  if (waived.length) parts.push(`; nobody in the team has ${waived.join(', ')}, so it is not required`);
  return { member, candidates, chosenBecause: parts.join(' '), exceedsAuthority };
}
