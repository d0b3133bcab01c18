import { DateTime } from 'luxon';
import { BusinessCalendar, DEFAULT_CALENDAR, type BusinessCalendarConfig } from './calendar';

const H = 3_600_000;
const cal = new BusinessCalendar(DEFAULT_CALENDAR);
const at = (iso: string) => new Date(iso);

describe('BusinessCalendar (default: Mon–Fri 09:00–17:00 Europe/Amsterdam, NL public holidays)', () => {
  it('walks across a weekend', () => {
    // Friday 27 Nov 2026 15:00 CET + 24 working hours: Fri 2 h, Mon 8, Tue 8, Wed 6 → Wed 15:00.
    const end = cal.addWorkingTime(at('2026-11-27T15:00:00+01:00'), 24 * H);
    expect(cal.format(end)).toBe('2026-12-02T15:00:00.000+01:00');
    expect(cal.workingTimeBetween(at('2026-11-27T15:00:00+01:00'), end)).toBe(24 * H);
  });

  it('starts a clock received outside opening hours at the next opening', () => {
    expect(cal.format(cal.addWorkingTime(at('2026-11-28T11:00:00+01:00'), H))).toBe(
      '2026-11-30T10:00:00.000+01:00',
    );
    expect(cal.format(cal.nextOpening(at('2026-11-27T17:00:00+01:00')))).toBe(
      '2026-11-30T09:00:00.000+01:00',
    );
    expect(cal.isOpen(at('2026-11-27T16:59:00+01:00'))).toBe(true);
    expect(cal.isOpen(at('2026-11-27T17:00:00+01:00'))).toBe(false);
  });

  it('skips Koningsdag (a public holiday) but not Bevrijdingsdag or Goede Vrijdag (not general days off)', () => {
    expect(cal.holidayOn('2026-04-27')).toBe('Koningsdag');
    expect(cal.holidayOn('2026-05-05')).toBeUndefined();
    expect(cal.holidayOn('2026-04-03')).toBeUndefined();
    // Friday 24 Apr 16:00 CEST + 24 h: Fri 1, (weekend, Koningsdag Mon 27), Tue 8, Wed 8, Thu 7 → Thu 30 Apr 16:00.
    expect(cal.format(cal.addWorkingTime(at('2026-04-24T16:00:00+02:00'), 24 * H))).toBe(
      '2026-04-30T16:00:00.000+02:00',
    );
  });

  it('skips Kerstmis and Tweede kerstdag', () => {
    // Thursday 24 Dec 10:00 + 24 h: Thu 7, Fri 25 Kerstmis, weekend, Mon 8, Tue 8, Wed 1 → Wed 30 Dec 10:00.
    expect(cal.format(cal.addWorkingTime(at('2026-12-24T10:00:00+01:00'), 24 * H))).toBe(
      '2026-12-30T10:00:00.000+01:00',
    );
    expect(cal.workingTimeBetween(at('2026-12-24T00:00:00+01:00'), at('2026-12-29T00:00:00+01:00'))).toBe(
      16 * H,
    );
  });

  it('keeps opening hours in local time across the spring DST change', () => {
    // Fri 27 Mar 2026 13:00 CET; clocks go forward Sun 29 Mar. Fri 4, Mon 8, Tue 8, Wed 4 → Wed 1 Apr 13:00 CEST.
    const end = cal.addWorkingTime(at('2026-03-27T13:00:00+01:00'), 24 * H);
    expect(cal.format(end)).toBe('2026-04-01T13:00:00.000+02:00');
    expect(end.toISOString()).toBe('2026-04-01T11:00:00.000Z');
  });

  it('counts the real length of the DST days on a round-the-clock calendar', () => {
    const allDay = { from: '00:00', to: '24:00' };
    const config: BusinessCalendarConfig = {
      timeZone: 'Europe/Amsterdam',
      openingHours: {
        1: [allDay],
        2: [allDay],
        3: [allDay],
        4: [allDay],
        5: [allDay],
        6: [allDay],
        7: [allDay],
      },
    };
    const always = new BusinessCalendar(config);
    expect(always.workingTimeBetween(at('2026-03-29T00:00:00+01:00'), at('2026-03-30T00:00:00+02:00'))).toBe(
      23 * H,
    );
    expect(always.workingTimeBetween(at('2026-10-25T00:00:00+02:00'), at('2026-10-26T00:00:00+01:00'))).toBe(
      25 * H,
    );
    // 24 h from Saturday midnight before the autumn change ends at 23:00 local, one wall hour is repeated.
    expect(always.format(always.addWorkingTime(at('2026-10-25T00:00:00+02:00'), 24 * H))).toBe(
      '2026-10-25T23:00:00.000+01:00',
    );
  });

  it('knows which day an instant belongs to minute by minute around midnight, also at a +05:45 offset', () => {
    // The day of an instant is looked up once per UTC quarter hour: each minute around local midnight
    // (in Kathmandu at :15 past a UTC hour) must still land on its own side of it.
    const lateEvening = new BusinessCalendar({
      timeZone: 'Asia/Kathmandu',
      openingHours: { 1: [{ from: '23:50', to: '24:00' }] },
    });
    const mondayNight = DateTime.fromISO('2026-11-30T23:40:00', { zone: 'Asia/Kathmandu' });
    for (let m = 0; m < 40; m++) {
      const t = mondayNight.plus({ minutes: m });
      expect([t.toISO(), lateEvening.isOpen(t.toJSDate())]).toEqual([
        t.toISO(),
        t.hour === 23 && t.minute >= 50,
      ]);
    }
  });

  it('formats instants exactly as luxon does, with the offset in force, across DST and in other zones', () => {
    for (const timeZone of [
      'Europe/Amsterdam',
      'Asia/Kathmandu',
      'America/St_Johns',
      'Australia/Lord_Howe',
      'UTC',
    ]) {
      const c = new BusinessCalendar({ ...DEFAULT_CALENDAR, timeZone });
      // Every 67 min 13 s across 2026, and minute by minute around the European DST changes.
      const instants: number[] = [];
      for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 4_033_000)
        instants.push(t);
      for (const change of ['2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z'])
        for (let m = -30; m <= 30; m++) instants.push(Date.parse(change) + m * 60_000 + 999);
      for (const t of instants)
        expect(c.format(new Date(t))).toBe(DateTime.fromMillis(t, { zone: timeZone }).toISO());
    }
  });

  it('supports several intervals a day, and other countries', () => {
    const split = new BusinessCalendar({
      timeZone: 'Europe/Berlin',
      openingHours: {
        1: [
          { from: '13:00', to: '17:00' },
          { from: '08:00', to: '12:00' },
        ],
      },
      holidays: { country: 'DE' },
    });
    // Monday 30 Nov 2026 11:00 + 3 h: 11–12 (1 h), 13–15 → 15:00.
    expect(split.format(split.addWorkingTime(at('2026-11-30T11:00:00+01:00'), 3 * H))).toBe(
      '2026-11-30T15:00:00.000+01:00',
    );
    expect(split.workingTimeBetween(at('2026-11-30T00:00:00+01:00'), at('2026-12-01T00:00:00+01:00'))).toBe(
      8 * H,
    );
    expect(split.holidayOn('2026-10-03')).toBe('Tag der Deutschen Einheit');
  });

  it('refuses a broken configuration', () => {
    expect(() => new BusinessCalendar({ ...DEFAULT_CALENDAR, timeZone: 'Mars/Olympus' })).toThrow(
      /time zone/,
    );
    expect(
      () =>
        new BusinessCalendar({ ...DEFAULT_CALENDAR, openingHours: { 1: [{ from: '17:00', to: '09:00' }] } }),
    ).toThrow(/ends before/);
    expect(
      () => new BusinessCalendar({ ...DEFAULT_CALENDAR, openingHours: { 1: [{ from: '9', to: '17:00' }] } }),
    ).toThrow(/HH:mm/);
    expect(() =>
      new BusinessCalendar({ timeZone: 'UTC', openingHours: {} }).addWorkingTime(new Date(), H),
    ).toThrow(/no opening hours/);
  });
});
