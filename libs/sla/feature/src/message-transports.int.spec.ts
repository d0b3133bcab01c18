import { startFakeXApi, type FakeXApi } from '@klaxon/testing';
import { emailTransport, xTransport, type Outgoing } from './message-transports';
import { DEFAULT_SLA_OPTIONS } from './sla.module';
import type { SlaOptions } from './sla.options';

// The transports against the local X API (the real twitter-api-v2 client over HTTPS): what X answers
// — a post, a DM, a rate limit, a refusal — comes back as an outcome the sender records, never lost.
let x: FakeXApi;

beforeAll(async () => {
  x = await startFakeXApi();
  x.addUser({ id: 'u1', username: 'anna', name: 'Anna', followers: 10 });
  x.push({ id: '500', text: '@KlaxonBank mijn pas is weer geblokkeerd', authorId: 'u1' }, { stream: false });
});
afterAll(() => x?.stop());

const options = (o: Partial<SlaOptions>): SlaOptions => ({ ...DEFAULT_SLA_OPTIONS, ...o });
const message = (o: Partial<Outgoing> = {}): Outgoing => ({
  complaintId: 'cmp_0123456789abcdefghij',
  reference: 'KLX-0123-4567',
  recipient: 'u1',
  subject: 'Re: uw klacht',
  body: 'Vervelend! We kijken ernaar.',
  messageId: '<k.klx-0123-4567@example.com>',
  inReplyTo: '500',
  references: [],
  mode: 'public',
  ...o,
});
const xOptions = (credentials: NonNullable<SlaOptions['x']>['credentials']) =>
  options({ x: { credentials, baseUrl: x.baseUrl, ca: x.ca } });

it('posts a public reply under the post and a DM to its author (OAuth 2.0 user context)', async () => {
  const t = xTransport(xOptions({ accessToken: x.userToken }));
  const reply = await t.send(message());
  expect(reply).toMatchObject({ outcome: 'sent', transport: 'x', externalId: expect.any(String) });
  const dm = await t.send(message({ mode: 'dm', body: 'Stuur ons uw klantnummer.' }));
  expect(dm).toMatchObject({ outcome: 'sent', transport: 'x' });
  expect(x.sent()).toEqual([
    expect.objectContaining({
      kind: 'post',
      inReplyTo: '500',
      text: 'Vervelend! We kijken ernaar.',
      auth: 'bearer',
    }),
    expect.objectContaining({ kind: 'dm', participantId: 'u1', text: 'Stuur ons uw klantnummer.' }),
  ]);
});

it('signs with OAuth 1.0a user tokens when all four are given', async () => {
  const t = xTransport(xOptions({ appKey: 'ak', appSecret: 'as', accessToken: 'at', accessSecret: 'ts' }));
  expect(await t.send(message({ body: 'Met OAuth 1.0a' }))).toMatchObject({ outcome: 'sent' });
  expect(x.sent().at(-1)).toMatchObject({ text: 'Met OAuth 1.0a', auth: 'oauth1' });
});

it('surfaces a rate limit (retry at its reset) and refusals (failed with X’s words)', async () => {
  const t = xTransport(xOptions({ accessToken: x.userToken }));
  x.failNext({ endpoint: 'tweets', status: 429, resetInSeconds: 30 });
  const limited = await t.send(message());
  expect(limited).toMatchObject({ outcome: 'retry', reason: expect.stringContaining('429') });
  const retryAt = (limited as { retryAt?: Date }).retryAt!.getTime();
  expect(retryAt).toBeGreaterThan(Date.now() + 20_000);
  expect(await t.send(message({ inReplyTo: '999' }))).toMatchObject({
    outcome: 'refused',
    reason: expect.stringContaining('deleted or is not visible'),
  });
  expect(await t.send(message({ body: 'x'.repeat(281) }))).toMatchObject({
    outcome: 'refused',
    reason: expect.stringContaining('403'),
  });
  expect(await xTransport(xOptions({ accessToken: 'wrong-token' })).send(message())).toMatchObject({
    outcome: 'refused',
    reason: expect.stringContaining('401'),
  });
});

it('without credentials keeps X replies as not posted, and without SMTP mail as the demo’s mail catcher or by hand', async () => {
  expect(await xTransport(options({})).send(message())).toMatchObject({
    outcome: 'not-sent',
    status: 'manual',
    transport: 'x-not-posted',
  });
  expect(await emailTransport(options({ mailCatcher: true })).send(message())).toEqual({
    outcome: 'sent',
    transport: 'mail-catcher',
  });
  expect(await emailTransport(options({})).send(message())).toMatchObject({
    outcome: 'not-sent',
    status: 'manual',
  });
});
