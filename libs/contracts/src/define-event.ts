import { z } from 'zod';

/**
 * One event type on the bus: its name, its schema version, the versioned topic it travels on, how
 * it is keyed, and the topic settings deployments declare. A breaking change to `schema` means a
 * new `version`, hence a new topic; the compatibility test in this lib enforces that.
 */
export interface EventContract<TType extends string = string, TData = unknown> {
  readonly type: TType;
  readonly version: number;
  readonly topic: string;
  readonly schema: z.ZodType<TData>;
  /** Kafka key: events with the same key stay in order (per complaint, or per customer). */
  key(data: TData): string;
  readonly partitions: number;
  readonly retentionDays: number;
  /** A valid payload, used by the compatibility test and documentation. */
  readonly example: TData;
}

export interface DefineEventOptions<TType extends string, TSchema extends z.ZodType> {
  type: TType;
  version: number;
  /** Dotted topic stem, e.g. `complaints.received`; the version suffix is added here, once. */
  topicStem: string;
  schema: TSchema;
  key: (data: z.output<TSchema>) => string;
  partitions?: number;
  retentionDays?: number;
  example: z.output<TSchema>;
}

export const TOPIC_PREFIX = 'klaxon';

export function topicName(stem: string, version: number): string {
  return `${TOPIC_PREFIX}.${stem}.v${version}`;
}

export function defineEvent<TType extends string, TSchema extends z.ZodType>(
  options: DefineEventOptions<TType, TSchema>,
): EventContract<TType, z.output<TSchema>> {
  return Object.freeze({
    type: options.type,
    version: options.version,
    topic: topicName(options.topicStem, options.version),
    schema: options.schema as unknown as z.ZodType<z.output<TSchema>>,
    key: options.key,
    partitions: options.partitions ?? 12,
    retentionDays: options.retentionDays ?? 7,
    example: options.example,
  });
}

export type EventData<C> = C extends EventContract<string, infer D> ? D : never;
