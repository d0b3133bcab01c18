/**
 * Structural compatibility of two JSON Schemas (as produced by zod's toJSONSchema): `accepts(consumer,
 * producer)` is true when every value the producer schema allows is allowed by the consumer schema.
 * Consumers are tolerant readers (zod strips unknown keys), so extra properties are fine.
 * A change is compatible when old producers still satisfy new consumers AND new producers still
 * satisfy old consumers; anything else needs a new version (a new topic).
 */
export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  [k: string]: unknown;
};

export function incompatibilities(consumer: JsonSchema, producer: JsonSchema, path = '$'): string[] {
  if (Object.keys(consumer).length === 0) return []; // consumer accepts anything
  if (producer.anyOf) return producer.anyOf.flatMap((p) => incompatibilities(consumer, p, path));
  if (consumer.anyOf) {
    const fits = consumer.anyOf.some((c) => incompatibilities(c, producer, path).length === 0);
    return fits ? [] : [`${path}: no consumer alternative accepts the producer's shape`];
  }
  const problems: string[] = [];
  const ct = types(consumer);
  const pt = types(producer);
  if (ct && pt) {
    const missing = pt.filter((t) => !ct.includes(t) && !(t === 'integer' && ct.includes('number')));
    if (missing.length)
      problems.push(`${path}: producer may send ${missing.join('/')}, consumer expects ${ct.join('/')}`);
  } else if (ct && !pt && !producer.enum && producer.const === undefined) {
    problems.push(`${path}: producer type is unconstrained, consumer expects ${ct.join('/')}`);
  }
  const consumerValues = consumer.enum ?? (consumer.const !== undefined ? [consumer.const] : undefined);
  const producerValues = producer.enum ?? (producer.const !== undefined ? [producer.const] : undefined);
  if (consumerValues) {
    if (!producerValues)
      problems.push(`${path}: consumer accepts only ${JSON.stringify(consumerValues)}, producer is open`);
    else {
      const extra = producerValues.filter((v) => !consumerValues.includes(v));
      if (extra.length)
        problems.push(`${path}: producer may send ${JSON.stringify(extra)}, unknown to the consumer`);
    }
  }
  if (consumer.properties) {
    const producerRequired = new Set(producer.required ?? []);
    for (const name of consumer.required ?? []) {
      if (!producerRequired.has(name))
        problems.push(`${path}.${name}: required by the consumer, not always sent by the producer`);
    }
    for (const [name, schema] of Object.entries(consumer.properties)) {
      const sent = producer.properties?.[name];
      if (sent) problems.push(...incompatibilities(schema, sent, `${path}.${name}`));
    }
  }
  if (consumer.items && producer.items)
    problems.push(...incompatibilities(consumer.items, producer.items, `${path}[]`));
  return problems;
}

function types(schema: JsonSchema): string[] | undefined {
  if (schema.type === undefined) return undefined;
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

/** Both directions: old messages to new consumers, new messages to old consumers. */
export function breakingChanges(released: JsonSchema, current: JsonSchema): string[] {
  return [
    ...incompatibilities(current, released).map((p) => `old producer → new consumer: ${p}`),
    ...incompatibilities(released, current).map((p) => `new producer → old consumer: ${p}`),
  ];
}
