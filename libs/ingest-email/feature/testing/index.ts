import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ComplaintReceivedEvent,
  CustomerMessageReceivedEvent,
  decodeEvent,
  type ComplaintReceived,
  type CustomerMessageReceived,
  type EventEnvelope,
} from '@klaxon/contracts';
import type { MessageBus, Subscription } from '@klaxon/platform/messaging';
import type { MailboxConfig } from '../src/email-ingest.options';

/** Test helpers shared by the email integration tests and the benchmark (the lib's `testing` entry point: only specs and benchmarks import it, eslint enforces). */
export const FIXTURES = path.resolve(__dirname, '../test-fixtures');

export function fixture(name: string): Buffer {
  return readFileSync(path.join(FIXTURES, name));
}

export interface MailSpec {
  id?: string;
  from?: string;
  subject?: string;
  body?: string;
  headers?: Record<string, string>;
}

/** A small valid RFC 5322 message. */
export function mail(spec: MailSpec = {}): string {
  const headers = {
    From: spec.from ?? 'Klant <klant@klant.example>',
    To: 'klachten@example.nl',
    Subject: spec.subject ?? 'Klacht',
    Date: new Date().toUTCString(),
    ...(spec.id ? { 'Message-ID': `<${spec.id}>` } : {}),
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    ...spec.headers,
  };
  return `${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n${spec.body ?? 'Mijn pakket is niet bezorgd.'}\r\n`;
}

export function mailboxConfig(
  over: Partial<MailboxConfig> & Pick<MailboxConfig, 'host' | 'port' | 'user' | 'folder'>,
): MailboxConfig {
  return {
    name: `${over.user}@${over.host}/${over.folder}`,
    secure: 'none',
    pollIntervalMs: 600_000,
    rejectUnauthorized: true,
    maxMessageBytes: 50 * 1024 * 1024,
    batchSize: 100,
    reconnect: { initialMs: 100, maxMs: 1_000 },
    ...over,
  };
}

/** Everything the email channel put on the bus, decoded, with when it arrived. */
export class BusCollector {
  readonly complaints: Array<EventEnvelope<ComplaintReceived> & { seenAt: number }> = [];
  readonly messages: Array<EventEnvelope<CustomerMessageReceived> & { seenAt: number }> = [];
  private subscription: Subscription | undefined;

  async start(bus: MessageBus, groupId: string): Promise<void> {
    this.subscription = await bus.subscribe({
      groupId,
      topics: [ComplaintReceivedEvent.topic, CustomerMessageReceivedEvent.topic],
      handler: async (batch) => {
        const seenAt = Date.now();
        for (const m of batch) {
          if (m.topic === ComplaintReceivedEvent.topic) {
            const d = decodeEvent(ComplaintReceivedEvent, m.value);
            if (!d.ok) throw new Error(d.message);
            this.complaints.push({ ...d.envelope, seenAt });
          } else {
            const d = decodeEvent(CustomerMessageReceivedEvent, m.value);
            if (!d.ok) throw new Error(d.message);
            this.messages.push({ ...d.envelope, seenAt });
          }
        }
      },
    });
  }

  complaintsIn(mailbox: string): Array<EventEnvelope<ComplaintReceived> & { seenAt: number }> {
    return this.complaints.filter((e) => e.data.email?.mailbox === mailbox);
  }

  messagesIn(mailbox: string): Array<EventEnvelope<CustomerMessageReceived> & { seenAt: number }> {
    return this.messages.filter((e) => e.data.email?.mailbox === mailbox);
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }
}

export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
