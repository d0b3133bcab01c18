import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { EventContract } from './define-event';
import { isoDateTime } from './primitives';

/** What travels in a message's value: metadata every consumer needs, and the typed payload. */
export interface EventEnvelope<TData> {
  eventId: string;
  type: string;
  version: number;
  occurredAt: string;
  correlationId: string;
  causationId?: string;
  data: TData;
}

const envelopeShape = z.object({
  eventId: z.string().min(1).max(200),
  type: z.string(),
  version: z.number().int().positive(),
  occurredAt: isoDateTime,
  correlationId: z.string().min(1).max(200),
  causationId: z.string().max(200).optional(),
  data: z.unknown(),
});

/** A message ready for any bus: bytes plus routing, no bus library types. */
export interface EncodedEvent {
  topic: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export interface EventMeta {
  /** Deterministic ids make re-publishing after a crash harmless: consumers dedupe on it. */
  eventId?: string;
  correlationId?: string;
  causationId?: string;
  occurredAt?: string;
}

export const HEADER = {
  eventId: 'klaxon-event-id',
  type: 'klaxon-event-type',
  version: 'klaxon-event-version',
  correlationId: 'klaxon-correlation-id',
} as const;

export class EventValidationError extends Error {
  readonly code = 'event-invalid';
  constructor(
    readonly eventType: string,
    readonly issues: string,
  ) {
    super(`${eventType} does not match its schema: ${issues}`);
    this.name = 'EventValidationError';
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Validates on the producing side: an invalid payload never reaches the bus. */
export function encodeEvent<TData>(
  contract: EventContract<string, TData>,
  data: TData,
  meta: EventMeta = {},
): EncodedEvent {
  const parsed = contract.schema.safeParse(data);
  if (!parsed.success) throw new EventValidationError(contract.type, describeIssues(parsed.error));
  const envelope: EventEnvelope<TData> = {
    eventId: meta.eventId ?? randomUUID(),
    type: contract.type,
    version: contract.version,
    occurredAt: meta.occurredAt ?? new Date().toISOString(),
    correlationId: meta.correlationId ?? meta.eventId ?? randomUUID(),
    ...(meta.causationId ? { causationId: meta.causationId } : {}),
    data: parsed.data,
  };
  return {
    topic: contract.topic,
    key: contract.key(parsed.data),
    value: Buffer.from(JSON.stringify(envelope)),
    headers: {
      [HEADER.eventId]: envelope.eventId,
      [HEADER.type]: envelope.type,
      [HEADER.version]: String(envelope.version),
      [HEADER.correlationId]: envelope.correlationId,
    },
  };
}

export type DecodeErrorCode = 'malformed-json' | 'invalid-envelope' | 'wrong-event-type' | 'schema-mismatch';
export type DecodeResult<TData> =
  { ok: true; envelope: EventEnvelope<TData> } | { ok: false; code: DecodeErrorCode; message: string };

/** Validates on the consuming side: what does not decode goes to the dead-letter topic with this reason. */
export function decodeEvent<TData>(
  contract: EventContract<string, TData>,
  value: Buffer | string | null,
): DecodeResult<TData> {
  if (value === null) return { ok: false, code: 'malformed-json', message: 'message has no value' };
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (error) {
    return { ok: false, code: 'malformed-json', message: `value is not JSON: ${(error as Error).message}` };
  }
  const envelope = envelopeShape.safeParse(json);
  if (!envelope.success)
    return { ok: false, code: 'invalid-envelope', message: describeIssues(envelope.error) };
  if (envelope.data.type !== contract.type || envelope.data.version !== contract.version) {
    return {
      ok: false,
      code: 'wrong-event-type',
      message: `expected ${contract.type} v${contract.version}, got ${envelope.data.type} v${envelope.data.version}`,
    };
  }
  const data = contract.schema.safeParse(envelope.data.data);
  if (!data.success) return { ok: false, code: 'schema-mismatch', message: describeIssues(data.error) };
  return { ok: true, envelope: { ...envelope.data, data: data.data } };
}
