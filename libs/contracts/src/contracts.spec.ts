import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ALL_EVENTS,
  CLASSIFIED_CATEGORIES,
  COMPLAINT_CATEGORIES,
  COMPLAINT_LABELS,
  CaseEventEvent,
  ComplaintAssignedEvent,
  ComplaintClassifiedEvent,
  ComplaintReceivedEvent,
  PRIORITIES,
  UNCATEGORISED,
  classifiedCategory,
  complaintCategory,
  isClassifiedCategory,
  EventValidationError,
  allTopics,
  breakingChanges,
  complaintIdFor,
  decodeEvent,
  encodeEvent,
  snapshotFileName,
  snapshotOf,
  type EventContract,
  type JsonSchema,
  type SchemaSnapshot,
} from './index';

const released = (topic: string): SchemaSnapshot =>
  JSON.parse(readFileSync(path.join(__dirname, 'schema-snapshots', snapshotFileName({ topic })), 'utf8'));

describe('event contracts', () => {
  it('gives every event a distinct versioned topic and a dead-letter twin', () => {
    const topics = ALL_EVENTS.map((e) => e.topic);
    expect(new Set(topics).size).toBe(topics.length);
    for (const e of ALL_EVENTS) expect(e.topic).toMatch(new RegExp(`^klaxon\\.[a-z.]+\\.v${e.version}$`));
    expect(allTopics().map((t) => t.name)).toContain('klaxon.complaints.received.v1.dlq');
  });

  it.each(ALL_EVENTS.map((e) => [e.topic, e] as const))(
    '%s round-trips its example through encode and decode',
    (_t, anyContract) => {
      const contract = anyContract as EventContract; // the union of every contract, seen as one
      const encoded = encodeEvent(contract, contract.example, { eventId: 'e-1', correlationId: 'c-1' });
      expect(encoded.key).toBe((contract.example as { complaintId: string }).complaintId);
      const decoded = decodeEvent(contract, encoded.value);
      expect(decoded).toMatchObject({
        ok: true,
        envelope: { eventId: 'e-1', correlationId: 'c-1', data: contract.example },
      });
    },
  );

  it('refuses to encode an invalid payload, naming the field', () => {
    const bad = {
      ...ComplaintReceivedEvent.example,
      channel: 'fax',
    } as unknown as typeof ComplaintReceivedEvent.example;
    expect(() => encodeEvent(ComplaintReceivedEvent, bad)).toThrow(EventValidationError);
    expect(() => encodeEvent(ComplaintReceivedEvent, bad)).toThrow(/channel/);
  });

  it('says why a message does not decode', () => {
    expect(decodeEvent(ComplaintReceivedEvent, Buffer.from('{nope'))).toMatchObject({
      ok: false,
      code: 'malformed-json',
    });
    expect(decodeEvent(ComplaintReceivedEvent, Buffer.from('{"a":1}'))).toMatchObject({
      ok: false,
      code: 'invalid-envelope',
    });
    const other = encodeEvent(ALL_EVENTS[1], ALL_EVENTS[1].example);
    expect(decodeEvent(ComplaintReceivedEvent, other.value)).toMatchObject({
      ok: false,
      code: 'wrong-event-type',
    });
    const env = JSON.parse(
      encodeEvent(ComplaintReceivedEvent, ComplaintReceivedEvent.example).value.toString(),
    );
    env.data.text = 42;
    expect(decodeEvent(ComplaintReceivedEvent, Buffer.from(JSON.stringify(env)))).toMatchObject({
      ok: false,
      code: 'schema-mismatch',
      message: expect.stringContaining('text'),
    });
  });

  it('derives the same complaint id from the same channel and source id', () => {
    expect(complaintIdFor('email', '<a@b>')).toBe(complaintIdFor('email', '<a@b>'));
    expect(complaintIdFor('email', '<a@b>')).not.toBe(complaintIdFor('web', '<a@b>'));
    expect(complaintIdFor('web', 'x')).toMatch(/^cmp_[0-9a-z]{25}$/);
  });
});

describe('schema compatibility with released versions', () => {
  it.each(ALL_EVENTS.map((e) => [e.topic, e] as const))(
    '%s still speaks its released schema',
    (topic, contract) => {
      const frozen = released(topic);
      expect(breakingChanges(frozen.schema, snapshotOf(contract).schema)).toEqual([]);
      // A message written when the version was released still decodes today.
      expect(contract.schema.safeParse(frozen.example).success).toBe(true);
    },
  );

  // The check must be able to fail: each of these edits would break a consumer of v1.
  const base = snapshotOf(ComplaintReceivedEvent).schema;
  const edit = (f: (s: JsonSchema) => void): JsonSchema => {
    const copy = structuredClone(base);
    f(copy);
    return copy;
  };
  it.each([
    [
      'a new required field',
      edit((s) => {
        s.properties!.tenant = { type: 'string' };
        s.required!.push('tenant');
      }),
    ],
    [
      'a removed required field',
      edit((s) => {
        delete s.properties!.text;
        s.required = s.required!.filter((r) => r !== 'text');
      }),
    ],
    [
      'a required field made optional',
      edit((s) => {
        s.required = s.required!.filter((r) => r !== 'receivedAt');
      }),
    ],
    [
      'a changed type',
      edit((s) => {
        s.properties!.text = { type: 'number' };
      }),
    ],
    [
      'a new enum value',
      edit((s) => {
        s.properties!.channel.enum = [...(s.properties!.channel.enum ?? []), 'chat'];
      }),
    ],
  ])('detects %s as breaking', (_what, changed) => {
    expect(breakingChanges(base, changed)).not.toEqual([]);
  });

  it('lets an optional field be added without a new version', () => {
    const changed = edit((s) => {
      s.properties!.campaign = { type: 'string' };
    });
    expect(breakingChanges(base, changed)).toEqual([]);
  });
});

describe('the taxonomy', () => {
  it('is the classifier’s five categories, plus uncategorised where a complaint has none', () => {
    expect(COMPLAINT_CATEGORIES).toEqual(['delivery', 'product', 'communication', 'price-billing', 'staff']);
    expect(CLASSIFIED_CATEGORIES).toEqual([...COMPLAINT_CATEGORIES, UNCATEGORISED]);
    expect(complaintCategory.safeParse('uncategorised').success).toBe(false);
    expect(classifiedCategory.safeParse('uncategorised').success).toBe(true);
    for (const old of ['billing', 'price', 'Delivery', '']) expect(isClassifiedCategory(old)).toBe(false);
    expect(COMPLAINT_LABELS).toEqual(['explicit', 'latent', 'none']);
    expect(PRIORITIES).toEqual(['critical', 'high', 'normal']);
    // Every slug is kebab-case, as every enum value of the API.
    for (const slug of [...CLASSIFIED_CATEGORIES, ...COMPLAINT_LABELS, ...PRIORITIES])
      expect(slug).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  it('gives the events their labels and priorities from it, and speaks it in every example', () => {
    const classified = snapshotOf(ComplaintClassifiedEvent).schema.properties!;
    expect(classified.complaint.enum).toEqual([...COMPLAINT_LABELS]);
    expect(classified.priority.enum).toEqual([...PRIORITIES]);
    expect(snapshotOf(ComplaintAssignedEvent).schema.properties!.priority.enum).toEqual([...PRIORITIES]);
    expect(isClassifiedCategory(ComplaintClassifiedEvent.example.category)).toBe(true);
    expect(isClassifiedCategory(ComplaintAssignedEvent.example.category)).toBe(true);
  });

  // Why the v1 topics keep the category an open string: narrowing it is a breaking change, which the
  // compatibility check sees. Values are checked where they enter instead (model load, APIs, configuration).
  it.each([ComplaintClassifiedEvent, ComplaintAssignedEvent])(
    'keeps $topic category an open string: narrowing it to the taxonomy would break old messages',
    (contract) => {
      const frozen = released(contract.topic).schema;
      expect(frozen.properties!.category).toMatchObject({ type: 'string' });
      expect(frozen.properties!.category.enum).toBeUndefined();
      const narrowed = structuredClone(frozen);
      narrowed.properties!.category = { type: 'string', enum: [...CLASSIFIED_CATEGORIES] };
      expect(breakingChanges(frozen, narrowed)).toEqual([
        expect.stringMatching(/old producer → new consumer: \$\.category: consumer accepts only/),
      ]);
    },
  );

  it('keeps a case event correction’s category an open string in v1 too', () => {
    const correction = released(CaseEventEvent.topic).schema.properties!.correction;
    expect(correction.properties!.category).toEqual({ type: 'string' });
  });
});
