import { normalisePhone, normaliseIdentity, referenceFor, toComplaintReceived } from './index';

describe('intake domain', () => {
  it('normalises Dutch phone numbers written in different ways to one E.164 number', () => {
    expect(normalisePhone('06 12345678')).toBe('+31612345678');
    expect(normalisePhone('+31 6 1234 5678')).toBe('+31612345678');
    expect(normalisePhone('0031612345678')).toBe('+31612345678');
    expect(normalisePhone('not a number')).toBeUndefined();
  });

  it('normalises e-mail, customer number and handle', () => {
    expect(
      normaliseIdentity({ email: ' Anna@Example.NL ', customerNumber: ' ab-12 ', handle: '@Anna' }),
    ).toEqual({
      email: 'anna@example.nl',
      customerNumber: 'AB-12',
      handle: 'anna',
    });
  });

  it('gives the same complaint id for the same source id, and a readable reference', () => {
    const at = new Date('2026-11-24T09:00:00Z');
    const a = toComplaintReceived({ channel: 'web', text: ' Kapot! ', customer: {} }, 'idem-1', at);
    const b = toComplaintReceived({ channel: 'web', text: 'Kapot!', customer: {} }, 'idem-1', at);
    expect(a.complaintId).toBe(b.complaintId);
    expect(a.text).toBe('Kapot!');
    expect(referenceFor(a.complaintId)).toMatch(/^KLX-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  });
});
