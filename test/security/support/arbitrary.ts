import fc from 'fast-check';

type Json = Record<string, unknown>;

/** Strings an attacker tries: control characters, lone surrogates, injections, markup, very long text. */
export const NASTY_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\u001b[31m',
  '\u202eevil',
  "' OR 1=1 --",
  '"; DROP TABLE complaints; --',
  '$1',
  '{"$gt": ""}',
  '<script>alert(1)</script>',
  '${7*7}{{7*7}}',
  '../../../../etc/passwd',
  '%00%27',
  'a'.repeat(5000),
  '😀'.repeat(100),
  '',
  ' ',
];

export const nastyString = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  );

const anyJson = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    nastyString(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(nastyString(), { maxLength: 3 }),
    fc.dictionary(nastyString(), nastyString(), { maxKeys: 3 }),
  );

function stringOf(schema: Json): fc.Arbitrary<string> {
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as string[]));
  if (schema.format === 'email') return fc.emailAddress();
  if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  const max = typeof schema.maxLength === 'number' ? Math.min(schema.maxLength, 200) : 200;
  const min = typeof schema.minLength === 'number' ? Math.min(schema.minLength, max) : 0;
  return fc.string({ minLength: min, maxLength: max });
}

/**
 * Inputs shaped like a JSON Schema (what the zod request schemas become): mostly well-formed, so the
 * code behind validation is reached, with any value anywhere swapped for a nasty one now and then,
 * fields left out and unknown fields added.
 */
export function fromJsonSchema(schema: Json, depth = 0): fc.Arbitrary<unknown> {
  const nasty = { weight: 1, arbitrary: anyJson() };
  const shaped = (arb: fc.Arbitrary<unknown>) => fc.oneof({ weight: 6, arbitrary: arb }, nasty);
  if (depth > 5) return anyJson();
  if ('const' in schema) return shaped(fc.constant(schema.const));
  for (const key of ['anyOf', 'oneOf'] as const)
    if (Array.isArray(schema[key]))
      return fc.oneof(...(schema[key] as Json[]).map((s) => fromJsonSchema(s, depth + 1)));
  if (Array.isArray(schema.allOf) && schema.allOf.length)
    return fromJsonSchema(schema.allOf[0] as Json, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return shaped(stringOf(schema));
    case 'integer':
      return shaped(
        fc.integer({
          min: typeof schema.minimum === 'number' ? schema.minimum : -1000,
          max: typeof schema.maximum === 'number' ? schema.maximum : 100_000,
        }),
      );
    case 'number':
      return shaped(fc.double({ noNaN: true, min: -1e6, max: 1e6 }));
    case 'boolean':
      return shaped(fc.boolean());
    case 'null':
      return fc.constant(null);
    case 'array':
      return shaped(
        fc.array(schema.items ? fromJsonSchema(schema.items as Json, depth + 1) : anyJson(), {
          maxLength: 4,
        }),
      );
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Json>;
      const required = new Set((schema.required as string[] | undefined) ?? []);
      const entries = Object.entries(props).map(([k, s]) => [k, fromJsonSchema(s, depth + 1)] as const);
      const record = fc.record(Object.fromEntries(entries), {
        requiredKeys: [...required].filter((k) => k in props),
      });
      return shaped(
        fc
          .tuple(record, fc.option(fc.tuple(nastyString(), anyJson()), { freq: 8 }))
          .map(([r, extra]) => (extra ? { ...(r as Json), [extra[0]]: extra[1] } : r)),
      );
    }
    default:
      return anyJson();
  }
}
