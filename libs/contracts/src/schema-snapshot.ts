import { z } from 'zod';
import type { EventContract } from './define-event';
import type { JsonSchema } from './compatibility';

/** What is frozen when a version is released: its JSON Schema and a sample message of that time. */
export interface SchemaSnapshot {
  type: string;
  version: number;
  topic: string;
  schema: JsonSchema;
  example: unknown;
}

export function snapshotOf(contract: EventContract): SchemaSnapshot {
  return {
    type: contract.type,
    version: contract.version,
    topic: contract.topic,
    schema: z.toJSONSchema(contract.schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema,
    example: contract.example,
  };
}

export function snapshotFileName(contract: Pick<EventContract, 'topic'>): string {
  return `${contract.topic}.json`;
}
