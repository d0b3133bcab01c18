import { DateTime } from 'luxon';
import { WEEKDAYS, type Absence, type TeamMember, type Weekday, type WorkingHours } from './organisation';

const INTERVAL = /^([01]\d|2[0-4]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/;

export class InvalidWorkingHoursError extends Error {
  readonly code = 'invalid-working-hours';
}

function minutes(h: string, m: string): number {
  return Number(h) * 60 + Number(m);
}

/** Parses `HH:mm-HH:mm` into minutes of the day; `end <= start` means it runs past midnight. */
export function parseInterval(text: string): { start: number; end: number } {
  const m = INTERVAL.exec(text.trim());
  if (!m) throw new InvalidWorkingHoursError(`working hours interval "${text}" must look like 09:00-17:00`);
  const start = minutes(m[1], m[2]);
  const end = minutes(m[3], m[4]);
  if (start > 24 * 60 || end > 24 * 60 || start === end)
    throw new InvalidWorkingHoursError(`working hours interval "${text}" is empty or past 24:00`);
  return { start, end };
}

/** Throws on an unknown time zone or a malformed interval; returns the hours unchanged. */
export function validateWorkingHours(hours: WorkingHours): WorkingHours {
  if (!DateTime.now().setZone(hours.timeZone).isValid)
    throw new InvalidWorkingHoursError(`unknown time zone "${hours.timeZone}"`);
  for (const [day, intervals] of Object.entries(hours.days)) {
    if (!WEEKDAYS.includes(day as Weekday))
      throw new InvalidWorkingHoursError(`unknown weekday "${day}" (use mon..sun)`);
    for (const i of intervals ?? []) parseInterval(i);
  }
  return hours;
}

type Parsed = Partial<Record<Weekday, Array<{ start: number; end: number }>>>;
const parsedHours = new WeakMap<WorkingHours, Parsed>();
const localTimes = new Map<string, { day: number; minute: number } | null>();

function parsedOf(hours: WorkingHours): Parsed {
  let parsed = parsedHours.get(hours);
  if (!parsed) {
    parsed = Object.fromEntries(
      Object.entries(hours.days).map(([d, intervals]) => [d, (intervals ?? []).map(parseInterval)]),
    );
    parsedHours.set(hours, parsed);
  }
  return parsed;
}

/** Weekday (1 = Monday) and minute of the day at `at` in a time zone; memoised per zone and minute (routing asks it for every member). */
function localTime(timeZone: string, at: Date): { day: number; minute: number } | null {
  const key = `${timeZone}|${Math.floor(at.getTime() / 60_000)}`;
  let local = localTimes.get(key);
  if (local === undefined) {
    const dt = DateTime.fromJSDate(at).setZone(timeZone);
    local = dt.isValid ? { day: dt.weekday, minute: dt.hour * 60 + dt.minute } : null;
    if (localTimes.size > 10_000) localTimes.clear();
    localTimes.set(key, local);
  }
  return local;
}

/** Whether `at` falls in the working hours, read in their own time zone (so DST is handled). */
export function isWorkingAt(hours: WorkingHours, at: Date): boolean {
  const local = localTime(hours.timeZone, at);
  if (!local) return false;
  const parsed = parsedOf(hours);
  const day = WEEKDAYS[local.day - 1];
  const yesterday = WEEKDAYS[(local.day + 5) % 7];
  const t = local.minute;
  for (const { start, end } of parsed[day] ?? []) {
    if (end > start ? t >= start && t < end : t >= start) return true;
  }
  for (const { start, end } of parsed[yesterday] ?? []) {
    if (end < start && t < end) return true; // yesterday's night shift still running
  }
  return false;
}

export function isAbsentAt(absences: readonly Absence[], at: Date): Absence | null {
  const t = at.getTime();
  return absences.find((a) => new Date(a.from).getTime() <= t && t < new Date(a.until).getTime()) ?? null;
}

/** Round the clock, every day: an on-call rota. */
export function alwaysOn(timeZone = 'Europe/Amsterdam'): WorkingHours {
  return { timeZone, days: Object.fromEntries(WEEKDAYS.map((d) => [d, ['00:00-24:00']])) };
}

/** The same hours on the given days. */
export function weekly(days: Weekday[], interval: string, timeZone = 'Europe/Amsterdam'): WorkingHours {
  return { timeZone, days: Object.fromEntries(days.map((d) => [d, [interval]])) };
}

/** Why a member cannot take a complaint right now, or null when they can. */
export function unavailableBecause(member: TeamMember, at: Date): string | null {
  if (!member.active) return 'inactive';
  const absence = isAbsentAt(member.absences, at);
  if (absence) return `absent until ${absence.until}`;
  if (!isWorkingAt(member.workingHours, at)) return 'off shift';
  return null;
}

const OFFICE_DAYS: WorkingHours = {
  timeZone: 'Europe/Amsterdam',
  days: {
    mon: ['09:00-17:00'],
    tue: ['09:00-17:00'],
    wed: ['09:00-17:00'],
    thu: ['09:00-17:00'],
    fri: ['09:00-17:00'],
  },
};

/**
 * The end of the `days`-th working day after `start` (the day of `start` itself does not count): the
 * days the hours have intervals on and that no absence covers at the first interval's start, in the
 * hours' own time zone. Without any working day in the hours, Monday to Friday office hours.
 */
export function dueAfterWorkingDays(
  hours: WorkingHours,
  absences: readonly Absence[],
  start: Date,
  days: number,
): Date {
  const usable = Object.values(hours.days).some((i) => (i ?? []).length > 0) ? hours : OFFICE_DAYS;
  const parsed = parsedOf(usable);
  let day = DateTime.fromJSDate(start).setZone(usable.timeZone).startOf('day');
  let counted = 0;
  for (let i = 0; i < 366 * 3; i++) {
    day = day.plus({ days: 1 });
    const intervals = parsed[WEEKDAYS[day.weekday - 1]] ?? [];
    if (!intervals.length) continue;
    const first = Math.min(...intervals.map((x) => x.start));
    if (isAbsentAt(absences, day.plus({ minutes: first }).toJSDate())) continue;
    if (++counted < Math.max(1, days)) continue;
    // The day ends with its last interval (one over midnight ends on the next day).
    const end = Math.max(...intervals.map((x) => (x.end > x.start ? x.end : x.end + 24 * 60)));
    return day.plus({ minutes: end }).toJSDate();
  }
  throw new Error('no working day within three years');
}
