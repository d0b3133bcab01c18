import { backoffDelay } from './backoff';
import { classify, isPermanent, isTransient } from './classify';
import { PermanentMessageError, TransientError } from './errors';

const withCode = (code: unknown, message = 'x') => Object.assign(new Error(message), { code });

describe('classify', () => {
  it.each([
    ['08006', 'sqlstate-08006'],
    ['08001', 'sqlstate-08001'],
    ['53300', 'sqlstate-53300'],
    ['57P01', 'sqlstate-57p01'],
    ['57P03', 'sqlstate-57p03'],
    ['40001', 'sqlstate-40001'],
    ['40P01', 'sqlstate-40p01'],
  ])('SQLSTATE %s is transient', (code, reason) => {
    expect(classify(withCode(code))).toEqual({ kind: 'transient', reason });
  });

  it.each(['23505', '22P02', '42P01', '57014', '40002'])('SQLSTATE %s is not', (code) => {
    expect(classify(withCode(code)).kind).toBe('unknown');
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'])('socket error %s is transient', (code) => {
    expect(isTransient(withCode(code))).toBe(true);
  });

  it('looks inside TypeORM, kafkajs, fetch and AggregateError wrappers', () => {
    const queryFailed = Object.assign(new Error('q'), {
      name: 'QueryFailedError',
      driverError: withCode('57P01'),
    });
    expect(classify(queryFailed).reason).toBe('sqlstate-57p01');
    const retries = Object.assign(new Error('r'), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      retriable: false,
      originalError: Object.assign(new Error('c'), { name: 'KafkaJSConnectionError', retriable: true }),
    });
    expect(classify(retries).kind).toBe('transient');
    expect(isTransient(new TypeError('fetch failed', { cause: withCode('ECONNREFUSED') }))).toBe(true);
    expect(isTransient(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]))).toBe(true);
  });

  it('knows kafkajs retriable, SMTP 4xx, IMAP and X network failures', () => {
    expect(classify(Object.assign(new Error('k'), { retriable: true })).kind).toBe('transient');
    expect(classify(Object.assign(new Error('s'), { responseCode: 421 })).reason).toBe('smtp-421');
    expect(classify(Object.assign(new Error('s'), { responseCode: 550 })).kind).toBe('unknown');
    expect(classify(withCode('ECONNECTION')).kind).toBe('transient');
    expect(classify(withCode('NoConnection')).kind).toBe('transient');
    const x = (code: number) => Object.assign(new Error('x'), { name: 'ApiResponseError', code });
    expect(classify(x(503)).reason).toBe('http-503');
    expect(classify(x(429)).kind).toBe('transient');
    expect(classify(x(400)).kind).toBe('unknown');
    const xNetwork = Object.assign(new Error('x'), {
      name: 'ApiRequestError',
      requestError: withCode('ECONNRESET'),
    });
    expect(classify(xNetwork).kind).toBe('transient');
  });

  it('knows pg losing its connection without a code', () => {
    expect(isTransient(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransient(new Error('timeout exceeded when trying to connect'))).toBe(true);
  });

  it('the explicit kinds win', () => {
    expect(classify(new PermanentMessageError('bad-schema', 'no'))).toEqual({
      kind: 'permanent',
      reason: 'bad-schema',
    });
    expect(isPermanent(Object.assign(new Error('no'), { name: 'PermanentMessageError' }))).toBe(true);
    expect(classify(new TransientError('later', 'upstream-busy'))).toEqual({
      kind: 'transient',
      reason: 'upstream-busy',
    });
    expect(classify(new Error('boom')).kind).toBe('unknown');
    expect(classify('a string').kind).toBe('unknown');
    expect(classify(null).kind).toBe('unknown');
  });
});

describe('backoffDelay', () => {
  const p = { base: 100, cap: 1_000 };
  it('doubles from base up to cap, with equal jitter', () => {
    expect(backoffDelay(1, p, () => 0)).toBe(50);
    expect(backoffDelay(1, p, () => 1)).toBe(100);
    expect(backoffDelay(3, p, () => 1)).toBe(400);
    expect(backoffDelay(3, p, () => 0)).toBe(200);
    expect(backoffDelay(10, p, () => 1)).toBe(1_000);
    expect(backoffDelay(10_000, p, () => 1)).toBe(1_000);
  });
  it('never waits nothing and never more than the cap', () => {
    for (let attempt = 1; attempt < 80; attempt++) {
      const d = backoffDelay(attempt, p);
      expect(d).toBeGreaterThan(0);
      expect(d).toBeLessThanOrEqual(1_000);
    }
  });
});
