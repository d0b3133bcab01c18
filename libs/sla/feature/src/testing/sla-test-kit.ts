import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { DataSource } from 'typeorm';
import {
  CaseEventEvent,
  ComplaintAssignedEvent,
  ComplaintClassifiedEvent,
  type CaseEvent,
  type ComplaintAssigned,
  type ComplaintClassified,
  type EventContract,
  type EventEnvelope,
} from '@klaxon/contracts';
import type { ConsumedEvent } from '@klaxon/platform/messaging';
import { silentLogger, type Registry } from '@klaxon/platform/observability';
import { appendHistory } from '@klaxon/platform/persistence';
import type { Clock } from '@klaxon/platform/runtime';
import { CaseClocksService } from '../case-clocks.service';
import { ClockPlannerService } from '../clock-planner.service';
import { CustomerMessagesService } from '../customer-messages.service';
import { FireDueAlertsService } from '../fire-due-alerts.service';
import { SetDeadlinesService } from '../set-deadlines.service';
import { SlaAnalysisService } from '../sla-analysis.service';
import { StartClocksService } from '../start-clocks.service';
import { PolicyChangeService } from '../policy-change.service';
import { DEFAULT_SLA_OPTIONS } from '../sla.module';
import type { SlaOptions } from '../sla.options';
import { WebhooksService } from '../webhooks.service';

/** A clock the test moves by hand. */
export class MovableClock implements Clock {
  constructor(private t: Date) {}
  now(): Date {
    return new Date(this.t);
  }
  set(iso: string | Date): void {
    this.t = new Date(iso);
  }
}

/** The sla services wired by hand over a real DataSource (what SlaModule does), for integration tests. */
export function slaServices(
  ds: DataSource,
  clock: Clock,
  overrides: Partial<SlaOptions> = {},
  metrics?: Registry,
) {
  const options: SlaOptions = { ...DEFAULT_SLA_OPTIONS, scheduler: false, ...overrides };
  const planner = new ClockPlannerService(options);
  const messages = new CustomerMessagesService(ds, options, clock, silentLogger);
  const webhooks = new WebhooksService(ds, options, clock, silentLogger);
  return {
    options,
    planner,
    messages,
    webhooks,
    start: new StartClocksService(ds, planner, messages, silentLogger),
    deadlines: new SetDeadlinesService(ds, planner, messages, silentLogger),
    cases: new CaseClocksService(ds, planner, messages, silentLogger),
    alerts: new FireDueAlertsService(ds, options, clock, silentLogger, webhooks, metrics),
    analysis: new SlaAnalysisService(ds, options, clock, silentLogger, webhooks),
    policyChange: new PolicyChangeService(ds, planner, options, silentLogger),
  };
}

let seq = 0;
export function consumed<T>(
  contract: EventContract<string, T>,
  data: T,
  eventId = `ev-${++seq}`,
): ConsumedEvent<T> {
  const envelope: EventEnvelope<T> = {
    eventId,
    type: contract.type,
    version: contract.version,
    occurredAt: new Date().toISOString(),
    correlationId: eventId,
    data,
  };
  return {
    envelope,
    message: {
      topic: contract.topic,
      partition: 0,
      offset: String(seq),
      key: null,
      value: null,
      headers: {},
    },
  };
}

export function classified(data: {
  complaintId: string;
  receivedAt: string;
  channel?: ComplaintClassified['channel'];
  complaint?: ComplaintClassified['complaint'];
}): ConsumedEvent<ComplaintClassified> {
  return consumed(ComplaintClassifiedEvent, {
    ...ComplaintClassifiedEvent.example,
    channel: 'email',
    classifiedAt: data.receivedAt,
    ...data,
  });
}

export function assigned(
  data: Partial<ComplaintAssigned> & Pick<ComplaintAssigned, 'complaintId' | 'receivedAt' | 'assignedAt'>,
): ConsumedEvent<ComplaintAssigned> {
  return consumed(ComplaintAssignedEvent, {
    channel: 'email',
    category: 'delivery',
    priority: 'normal',
    teamId: 'logistics',
    ownerId: 'm-1',
    ownerName: 'Sanne Jansen',
    reason: { rule: 'test', candidates: [], chosenBecause: 'test' },
    ...data,
  });
}

/** A case action as the cases API records it: a history row and the CaseEvent the sla consumes. */
export async function caseAction(
  ds: DataSource,
  cases: CaseClocksService,
  event: Omit<CaseEvent, 'caseEventId' | 'actor'>,
): Promise<CaseEvent> {
  const full: CaseEvent = { caseEventId: `ce-${++seq}`, actor: { type: 'user', id: 'm-1' }, ...event };
  await ds.transaction((m) =>
    appendHistory(m, [
      {
        complaintId: full.complaintId,
        at: full.at,
        kind: `case-${full.action}`,
        actor: 'Sanne',
        data: full,
        eventId: full.caseEventId,
      },
    ]),
  );
  await cases.handle([consumed(CaseEventEvent, full, full.caseEventId)]);
  return full;
}

export async function insertComplaint(
  ds: DataSource,
  c: {
    id: string;
    receivedAt: string;
    channel?: string;
    language?: string;
    priority?: string;
    category?: string;
    customer?: object;
    reputationalRisk?: boolean;
    teamId?: string;
    status?: string;
    unassigned?: boolean;
  },
): Promise<void> {
  await ds.query(
    `INSERT INTO complaints (id, channel, source_id, status, received_at, subject, text, customer, language, priority, category, reputational_risk, team_id, owner_id, owner_name, assigned_at)
     VALUES ($1, $2, $1, $3, $4, 'Pakket kwijt', 'Mijn pakket is niet bezorgd', $5, $6, $7, $8, $9, $10, $11, $12, CASE WHEN $11::text IS NULL THEN NULL ELSE $4::timestamptz + interval '1 second' END)`,
    [
      c.id,
      c.channel ?? 'email',
      c.status ?? 'assigned',
      c.receivedAt,
      JSON.stringify(c.customer ?? { name: 'Jan de Vries', email: 'jan@example.nl' }),
      c.language ?? 'nl',
      c.priority ?? 'normal',
      c.category ?? 'delivery',
      c.reputationalRisk ?? false,
      c.unassigned ? null : (c.teamId ?? 'logistics'),
      c.unassigned ? null : 'm-1',
      c.unassigned ? null : 'Sanne Jansen',
    ],
  );
}

export interface Mail {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on a free loopback port that keeps what it receives. */
export async function startSmtp(): Promise<{ port: number; mails: Mail[]; stop(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface Hook {
  headers: http.IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A local HTTP receiver; `failFirst` requests are answered 503 to exercise retries. */
export async function startWebhookReceiver(
  failFirst = 0,
): Promise<{ url: string; hooks: Hook[]; stop(): Promise<void> }> {
  const hooks: Hook[] = [];
  let seen = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answered = ++seen <= failFirst ? 503 : 204;
      hooks.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return { url, hooks, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
