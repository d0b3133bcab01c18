import { decide, type CaseFacts, type CaseStatus } from './case-state';

const facts = (status: CaseStatus): CaseFacts => ({
  status,
  category: 'delivery',
  priority: 'normal',
  complaintLabel: 'explicit',
});

describe('case state machine', () => {
  it('walks a complaint through its life', () => {
    expect(decide(facts('assigned'), { action: 'acknowledge' })).toMatchObject({
      ok: true,
      status: 'acknowledged',
      events: ['acknowledged'],
    });
    expect(decide(facts('acknowledged'), { action: 'reply', message: 'hi' })).toMatchObject({
      ok: true,
      status: 'in-progress',
      events: ['responded'],
    });
    expect(decide(facts('in-progress'), { action: 'wait-on-customer' })).toMatchObject({
      status: 'waiting-on-customer',
      events: ['waiting-on-customer'],
    });
    expect(decide(facts('waiting-on-customer'), { action: 'customer-replied' })).toMatchObject({
      status: 'in-progress',
      events: ['customer-replied'],
    });
    expect(
      decide(facts('in-progress'), { action: 'resolve', founded: true, resolution: 'refund' }),
    ).toMatchObject({ status: 'resolved', events: ['resolved'] });
    expect(decide(facts('resolved'), { action: 'csat', score: 4 })).toMatchObject({
      status: 'closed',
      events: ['csat-received'],
    });
    expect(decide(facts('closed'), { action: 'reopen', reason: 'again' })).toMatchObject({
      status: 'in-progress',
      events: ['reopened'],
    });
    expect(decide(facts('in-progress'), { action: 'hand-back', reason: 'wrong team' })).toMatchObject({
      status: 'queued',
      events: ['handed-back'],
    });
  });

  it('reopens when the customer says it is still open', () => {
    expect(decide(facts('resolved'), { action: 'csat', score: 2, stillOpen: true })).toMatchObject({
      status: 'in-progress',
      events: ['csat-received', 'reopened'],
    });
  });

  it('refuses nonsense', () => {
    expect(decide(facts('resolved'), { action: 'resolve', founded: true, resolution: 'x' })).toMatchObject({
      ok: false,
      code: 'invalid-transition',
    });
    expect(decide(facts('erased'), { action: 'reply', message: 'x' })).toMatchObject({
      ok: false,
      code: 'invalid-transition',
      message: 'cannot reply an erased complaint',
    });
    expect(decide(facts('acknowledged'), { action: 'acknowledge' })).toMatchObject({
      ok: false,
      message: 'the complaint is already acknowledged',
    });
    expect(decide(facts('in-progress'), { action: 'customer-replied' })).toMatchObject({ ok: false });
    expect(decide(facts('in-progress'), { action: 'csat', score: 5 })).toMatchObject({ ok: false });
    expect(decide(facts('queued'), { action: 'hand-back', reason: 'x' })).toMatchObject({ ok: false });
    expect(decide(facts('waiting-on-customer'), { action: 'wait-on-customer' })).toMatchObject({ ok: false });
  });

  it('corrects only what changes', () => {
    expect(
      decide(facts('in-progress'), { action: 'correct', priority: 'critical', category: 'delivery' }),
    ).toMatchObject({ ok: true, changes: { priority: 'critical' }, events: ['corrected'] });
    expect(decide(facts('in-progress'), { action: 'correct', category: 'delivery' })).toMatchObject({
      ok: false,
      code: 'nothing-to-change',
    });
  });

  it('completes a follow-up: a response that leaves the status, or a reopen for the owner', () => {
    const closed = { ...facts('closed'), openFollowUp: 'fu_1' };
    expect(decide(closed, { action: 'follow-up', outcome: 'contacted' })).toMatchObject({
      ok: true,
      status: 'closed',
      events: ['responded'],
    });
    expect(decide(closed, { action: 'follow-up', outcome: 'remedy-offered', note: '€20' })).toMatchObject({
      ok: true,
      status: 'closed',
      events: ['responded'],
    });
    expect(decide(closed, { action: 'follow-up', outcome: 'reopened' })).toMatchObject({
      ok: true,
      status: 'in-progress',
      events: ['reopened'],
    });
    // The customer already said "still open": it is open, so reopening makes no sense.
    expect(
      decide({ ...facts('in-progress'), openFollowUp: 'fu_1' }, { action: 'follow-up', outcome: 'reopened' }),
    ).toMatchObject({ ok: false, code: 'invalid-transition' });
    expect(decide(facts('closed'), { action: 'follow-up', outcome: 'contacted' })).toMatchObject({
      ok: false,
      code: 'no-open-follow-up',
    });
  });
});
