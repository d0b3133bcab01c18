import {
  acknowledgementMessage,
  csatNeedsFollowUp,
  csatRequestMessage,
  referenceFor,
} from './acknowledgement';
import { escalationLadder } from './escalation';
import { predictBreach } from './prediction';

const at = (iso: string) => new Date(iso);

describe('escalationLadder', () => {
  it('team lead 60 min after the breach, executive 4 h after that', () => {
    const steps = escalationLadder(at('2026-11-30T10:00:00Z'), { externalRisk: false });
    expect(steps.map((s) => [s.level, s.dueAt.toISOString()])).toEqual([
      ['team-lead', '2026-11-30T11:00:00.000Z'],
      ['executive', '2026-11-30T15:00:00.000Z'],
    ]);
  });
  it('external risk goes to the executive at once', () => {
    expect(escalationLadder(at('2026-11-30T10:00:00Z'), { externalRisk: true })[0]).toMatchObject({
      level: 'executive',
      dueAt: at('2026-11-30T10:00:00Z'),
    });
  });
});

describe('predictBreach', () => {
  const now = at('2026-11-30T10:00:00Z');
  it('flags a clock the queue will not reach in time', () => {
    const p = predictBreach(now, at('2026-11-30T12:00:00Z'), {
      queueAhead: 6,
      parallelCapacity: 2,
      recentHandlingMs: [30, 40, 50, 60].map((m) => m * 60_000),
    });
    // p75 = 50 min; 3 rounds of waiting + own handling = 200 min > 120 min left.
    expect(p.atRisk).toBe(true);
    expect(p.expectedAt.toISOString()).toBe('2026-11-30T13:20:00.000Z');
  });
  it('does not flag a short queue, nor guess without history', () => {
    expect(
      predictBreach(now, at('2026-11-30T12:00:00Z'), {
        queueAhead: 1,
        parallelCapacity: 4,
        recentHandlingMs: [30 * 60_000],
      }).atRisk,
    ).toBe(false);
    expect(
      predictBreach(now, at('2026-11-30T10:01:00Z'), {
        queueAhead: 100,
        parallelCapacity: 1,
        recentHandlingMs: [],
      }).atRisk,
    ).toBe(false);
  });
});

describe('customer messages', () => {
  const complaintId = 'cmp_ab12cd34ef56gh78ij90';
  it('derives the reference like intake does', () => expect(referenceFor(complaintId)).toBe('KLX-AB12-CD34'));
  it('acknowledges in Dutch with name, reference, next step and when', () => {
    const m = acknowledgementMessage({
      complaintId,
      language: 'nl',
      customerName: 'Sanne',
      ownerName: 'Piet',
      firstResponseBy: at('2026-12-02T14:00:00Z'),
      timeZone: 'Europe/Amsterdam',
    });
    expect(m.subject).toContain('KLX-AB12-CD34');
    expect(m.text).toContain('Beste Sanne');
    expect(m.text).toContain('Piet behandelt uw klacht');
    expect(m.text).toContain('woensdag 2 december 2026 om 15:00');
  });
  it('acknowledges in English otherwise', () => {
    const m = acknowledgementMessage({
      complaintId,
      language: 'en',
      firstResponseBy: at('2026-12-02T14:00:00Z'),
      timeZone: 'Europe/Amsterdam',
    });
    expect(m.text).toContain('Dear customer');
    expect(m.text).toContain('Wednesday 2 December 2026 at 15:00');
  });
  it('asks for CSAT and opens a follow-up at 3 or lower', () => {
    expect(csatRequestMessage({ complaintId, language: 'nl' }).text).toContain('1 tot 5');
    expect([1, 2, 3, 4, 5].map(csatNeedsFollowUp)).toEqual([true, true, true, false, false]);
  });
});
