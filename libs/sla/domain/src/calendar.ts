import Holidays from 'date-holidays';
import { DateTime } from 'luxon';

/** ISO weekday as luxon counts it: 1 = Monday … 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** One opening interval on a day, local wall time `HH:mm` (`24:00` allowed as an end). */
export interface OpeningInterval {
  from: string;
  to: string;
}

export interface BusinessCalendarConfig {
  /** IANA time zone the opening hours are read in. */
  timeZone: string;
  /** Opening intervals per weekday; a weekday without intervals (the weekend) is closed. */
  openingHours: Partial<Record<Weekday, OpeningInterval[]>>;
  /** Public holidays from date-holidays: country (and optional state); only days of `types` are days off. */
  holidays?: { country: string; state?: string; types?: string[] } | null;
  /** Extra closed dates (`YYYY-MM-DD`, local), e.g. a company day off. */
  closedDates?: string[];
  /** How long one working day is when a clock is given in working days (default: 8 hours). */
  workingDayMs?: number;
}

const HOUR = 3_600_000;
const MAX_DAYS_SCANNED = 366 * 5;
/** Days whose opening intervals are kept (a few years: the cache is cleared when full). */
const MAX_CACHED_DAYS = 5_000;
const QUARTER_HOUR_MS = 15 * 60_000;

function parseHm(value: string): { hour: number; minute: number } {
  const m = /^(\d{2}):(\d{2})$/.exec(value);
  if (!m) throw new Error(`opening hour must be HH:mm, got "${value}"`);
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  if (hour > 24 || minute > 59 || (hour === 24 && minute !== 0))
    throw new Error(`opening hour out of range: "${value}"`);
  return { hour, minute };
}

/**
 * Working time of one team: opening hours (several intervals a day), weekends, public holidays and
 * closed dates, in a time zone. All arithmetic is on instants (epoch milliseconds), so the hour that
 * daylight saving removes or repeats is counted as it really passes.
 */
export class BusinessCalendar {
  readonly config: Required<Omit<BusinessCalendarConfig, 'holidays'>> &
    Pick<BusinessCalendarConfig, 'holidays'>;
  private readonly hours: Map<
    Weekday,
    Array<{ from: { hour: number; minute: number }; to: { hour: number; minute: number } }>
  >;
  private readonly holidayCalendar: Holidays | null;
  private readonly holidayTypes: Set<string>;
  private readonly holidaysByYear = new Map<number, Map<string, string>>();
  private readonly daysByStart = new Map<number, { end: number; open: Array<[number, number]> }>();
  private readonly dayStartByQuarter = new Map<number, number>();
  private readonly offsetByQuarter = new Map<number, number | null>();
  private readonly closed: Set<string>;

  constructor(config: BusinessCalendarConfig) {
    if (!DateTime.now().setZone(config.timeZone).isValid)
      throw new Error(`unknown time zone "${config.timeZone}"`);
    this.config = { closedDates: [], workingDayMs: 8 * HOUR, ...config };
    this.hours = new Map();
    for (const [day, intervals] of Object.entries(config.openingHours) as Array<
      [string, OpeningInterval[]]
    >) {
      const parsed = intervals
        .map((i) => ({ from: parseHm(i.from), to: parseHm(i.to) }))
        .sort((a, b) => a.from.hour * 60 + a.from.minute - (b.from.hour * 60 + b.from.minute));
      for (const p of parsed) {
        if (p.to.hour * 60 + p.to.minute <= p.from.hour * 60 + p.from.minute)
          throw new Error(`opening interval ends before it starts on weekday ${day}`);
      }
      this.hours.set(Number(day) as Weekday, parsed);
    }
    this.holidayCalendar = config.holidays
      ? new Holidays(config.holidays.country, config.holidays.state ?? '', { timezone: config.timeZone })
      : null;
    if (config.holidays && !this.holidayCalendar?.getCountries()[config.holidays.country])
      throw new Error(`unknown holiday country "${config.holidays.country}"`);
    this.holidayTypes = new Set(config.holidays?.types ?? ['public']);
    this.closed = new Set(this.config.closedDates);
  }

  /** The holiday name if the local date (`YYYY-MM-DD`) is a day off. */
  holidayOn(isoDate: string): string | undefined {
    if (this.closed.has(isoDate)) return 'closed';
    if (!this.holidayCalendar) return undefined;
    const year = Number(isoDate.slice(0, 4));
    let days = this.holidaysByYear.get(year);
    if (!days) {
      days = new Map();
      for (const h of this.holidayCalendar.getHolidays(year)) {
        if (this.holidayTypes.has(h.type)) days.set(h.date.slice(0, 10), h.name);
      }
      this.holidaysByYear.set(year, days);
    }
    return days.get(isoDate);
  }

  /** The open intervals, as epoch-ms pairs, of the local day that `day` falls on. */
  intervalsOn(day: DateTime): Array<[number, number]> {
    const local = day.setZone(this.config.timeZone).startOf('day');
    const intervals = this.hours.get(local.weekday as Weekday);
    if (!intervals || intervals.length === 0) return [];
    if (this.holidayOn(local.toISODate()!)) return [];
    const at = (t: { hour: number; minute: number }) =>
      t.hour === 24
        ? local.plus({ days: 1 }).toMillis()
        : local.set({ hour: t.hour, minute: t.minute }).toMillis();
    return intervals.map((i) => [at(i.from), at(i.to)] as [number, number]).filter(([a, b]) => b > a);
  }

  isOpen(at: Date): boolean {
    const t = at.getTime();
    return this.dayStarting(this.startOfDay(t)).open.some(([a, b]) => t >= a && t < b);
  }

  /** The instant `ms` of working time after `start` (a start outside opening hours begins at the next opening). */
  addWorkingTime(start: Date, ms: number): Date {
    if (ms < 0) throw new Error('working time to add must be >= 0');
    let remaining = ms;
    const from = start.getTime();
    let dayStart = this.startOfDay(from);
    for (let i = 0; i < MAX_DAYS_SCANNED; i++) {
      const day = this.dayStarting(dayStart);
      for (const [a, b] of day.open) {
        if (b <= from) continue;
        const s = Math.max(a, from);
        if (remaining === 0) return new Date(s);
        if (s + remaining <= b) return new Date(s + remaining);
        remaining -= b - s;
      }
      dayStart = day.end;
    }
    throw new Error(
      `calendar has no opening hours within ${MAX_DAYS_SCANNED} days of ${start.toISOString()}`,
    );
  }

  /** Working time (ms) between two instants; negative when `b` is before `a`. */
  workingTimeBetween(a: Date, b: Date): number {
    if (b.getTime() < a.getTime()) return -this.workingTimeBetween(b, a);
    const from = a.getTime();
    const to = b.getTime();
    let total = 0;
    for (let dayStart = this.startOfDay(from); dayStart < to;) {
      const day = this.dayStarting(dayStart);
      for (const [s, e] of day.open) total += Math.max(0, Math.min(e, to) - Math.max(s, from));
      dayStart = day.end;
    }
    return total;
  }

  /**
   * Local midnight before `ms`. Every zone's midnight falls on a quarter hour of UTC, so all instants of
   * one UTC quarter hour share it: looked up once per quarter hour, not through luxon per call.
   */
  private startOfDay(ms: number): number {
    const quarter = Math.floor(ms / QUARTER_HOUR_MS);
    let start = this.dayStartByQuarter.get(quarter);
    if (start === undefined) {
      start = DateTime.fromMillis(ms, { zone: this.config.timeZone }).startOf('day').toMillis();
      // Historic offsets (local mean time) put midnight off the quarter hour: those are not shared.
      if (start % QUARTER_HOUR_MS === 0 && this.dayStarting(start).end % QUARTER_HOUR_MS === 0) {
        if (this.dayStartByQuarter.size >= MAX_CACHED_DAYS * 96) this.dayStartByQuarter.clear();
        this.dayStartByQuarter.set(quarter, start);
      }
    }
    return start;
  }

  /**
   * The local day that starts at `startMs`: its opening intervals and when the next day starts
   * (DST-aware). Every clock walks the same few days, so each is computed through luxon once.
   */
  private dayStarting(startMs: number): { end: number; open: Array<[number, number]> } {
    let day = this.daysByStart.get(startMs);
    if (!day) {
      const local = DateTime.fromMillis(startMs, { zone: this.config.timeZone });
      day = { end: local.plus({ days: 1 }).toMillis(), open: this.intervalsOn(local) };
      if (this.daysByStart.size >= MAX_CACHED_DAYS) this.daysByStart.clear();
      this.daysByStart.set(startMs, day);
    }
    return day;
  }

  /** The next instant at or after `at` when the calendar is open. */
  nextOpening(at: Date): Date {
    return this.addWorkingTime(at, 0);
  }

  /** Formats an instant as ISO 8601 with the calendar's offset (e.g. `2026-11-24T10:00:00.000+01:00`). */
  format(at: Date): string {
    const t = at.getTime();
    const offset = this.offsetMinutesAt(t);
    const local = offset === null ? '' : new Date(t + offset * 60_000).toISOString();
    // Luxon's form, for years 0–9999: what falls outside goes through luxon itself.
    if (offset === null || local.length !== 24)
      return DateTime.fromJSDate(at, { zone: this.config.timeZone }).toISO()!;
    const abs = Math.abs(offset);
    return `${local.slice(0, 23)}${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  }

  /**
   * The zone's UTC offset at `ms`, looked up once per UTC quarter hour (offsets change on quarter
   * hours); null where a quarter hour holds a change, or the zone writes UTC as `Z`.
   */
  private offsetMinutesAt(ms: number): number | null {
    const quarter = Math.floor(ms / QUARTER_HOUR_MS);
    let offset = this.offsetByQuarter.get(quarter);
    if (offset === undefined) {
      const start = DateTime.fromMillis(quarter * QUARTER_HOUR_MS, { zone: this.config.timeZone });
      const end = DateTime.fromMillis((quarter + 1) * QUARTER_HOUR_MS - 1, { zone: this.config.timeZone });
      offset =
        start.offset === end.offset && !(start.zone.isUniversal && start.offset === 0) ? start.offset : null;
      if (this.offsetByQuarter.size >= MAX_CACHED_DAYS * 96) this.offsetByQuarter.clear();
      this.offsetByQuarter.set(quarter, offset);
    }
    return offset;
  }
}

const WEEKDAY_9_TO_5: OpeningInterval[] = [{ from: '09:00', to: '17:00' }];

/** Monday to Friday 09:00–17:00 Europe/Amsterdam, Dutch public holidays off. */
export const DEFAULT_CALENDAR: BusinessCalendarConfig = {
  timeZone: 'Europe/Amsterdam',
  openingHours: {
    1: WEEKDAY_9_TO_5,
    2: WEEKDAY_9_TO_5,
    3: WEEKDAY_9_TO_5,
    4: WEEKDAY_9_TO_5,
    5: WEEKDAY_9_TO_5,
  },
  holidays: { country: 'NL', types: ['public'] },
  workingDayMs: 8 * HOUR,
};
