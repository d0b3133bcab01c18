import { randomBytes } from 'node:crypto';
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { DataSource } from 'typeorm';
import {
  CaseEventEvent,
  ComplaintAssignedEvent,
  ComplaintClassifiedEvent,
  ComplaintEscalatedEvent,
  ComplaintReceivedEvent,
  CustomerMessageReceivedEvent,
  FollowUpAssignedEvent,
  SlaAlertEvent,
} from '@klaxon/contracts';
import { mayAccessTeam, type Principal } from '@klaxon/platform/auth';
import {
  MESSAGE_BUS,
  type IncomingMessage,
  type MessageBus,
  type Subscription,
} from '@klaxon/platform/messaging';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE } from '@klaxon/platform/persistence';
import { LOGGER } from '@klaxon/platform/runtime';

/** What the browser gets: what happened to which complaint; never the complaint's personal data (the view fetches that, access-checked). */
export interface LiveEvent {
  type: string;
  /** Absent when the complaint is not the viewer's to see: the event still tells the view to refresh its (filtered) lists. */
  complaintId?: string;
  teamId?: string | null;
  occurredAt: string;
}

export const LIVE_TOPICS = [
  ComplaintReceivedEvent,
  ComplaintClassifiedEvent,
  ComplaintAssignedEvent,
  ComplaintEscalatedEvent,
  SlaAlertEvent,
  CaseEventEvent,
  FollowUpAssignedEvent,
  // The customer's answer shows up in the owner's thread as it arrives.
  CustomerMessageReceivedEvent,
].map((c) => c.topic);

export interface LiveClient {
  principal: Principal;
  send(event: LiveEvent): void;
  /** Ends the stream (the app is stopping); the browser reconnects to another replica. */
  end?(): void;
}

/** What one viewer may see of an event. */
export function visibleTo(
  principal: Principal,
  event: LiveEvent & { teamIds: Array<string | null> },
): LiveEvent {
  const { teamIds, ...rest } = event;
  const allowed = teamIds.some((t) => mayAccessTeam(principal, t));
  return allowed ? rest : { type: rest.type, occurredAt: rest.occurredAt };
}

/**
 * Reads the bus with a consumer group of this process's own (`klaxon-console-<random>`, from the
 * latest offset) and hands every event to the connected browsers, filtered per viewer.
 */
@Injectable()
export class LiveFeed implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly clients = new Set<LiveClient>();
  private subscription: Subscription | null = null;
  readonly groupId = `klaxon-console-${randomBytes(6).toString('hex')}`;

  constructor(
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: this.groupId,
      topics: LIVE_TOPICS,
      fromLatest: true,
      retry: { attempts: 1, initialBackoffMs: 100, maxBackoffMs: 100 },
      handler: (messages) => this.dispatch(messages),
    });
  }

  /** Before the HTTP server closes: open streams would keep it from closing until the shutdown timeout. */
  beforeApplicationShutdown(): void {
    for (const client of this.clients) client.end?.();
    this.clients.clear();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
    this.clients.clear();
  }

  add(client: LiveClient): () => void {
    this.clients.add(client);
    return () => this.clients.delete(client);
  }

  get size(): number {
    return this.clients.size;
  }

  private async dispatch(messages: IncomingMessage[]): Promise<void> {
    const events: Array<LiveEvent & { teamIds: Array<string | null> }> = [];
    for (const m of messages) {
      try {
        const envelope = JSON.parse(m.value?.toString('utf8') ?? 'null') as {
          type?: string;
          occurredAt?: string;
          data?: { complaintId?: string; teamId?: string; toTeamId?: string };
        };
        if (!envelope?.type) continue;
        events.push({
          type: envelope.type,
          complaintId: envelope.data?.complaintId,
          teamId: envelope.data?.teamId ?? null,
          occurredAt: envelope.occurredAt ?? new Date().toISOString(),
          teamIds: [envelope.data?.teamId ?? null],
        });
      } catch (err) {
        // A live view is best-effort over what the stages already stored; a message it cannot read is logged, not retried.
        this.logger.warn({ err, topic: m.topic, offset: m.offset }, 'live feed: unreadable event skipped');
      }
    }
    if (!events.length || !this.clients.size) return;
    // The complaint's current team (it may have moved since the event).
    const ids = [...new Set(events.map((e) => e.complaintId).filter((id): id is string => !!id))];
    const rows = ids.length
      ? ((await this.dataSource.query('SELECT id, team_id FROM complaints WHERE id = ANY($1)', [
          ids,
        ])) as Array<{ id: string; team_id: string | null }>)
      : [];
    const teamOf = new Map(rows.map((r) => [r.id, r.team_id]));
    for (const e of events) {
      if (e.complaintId && teamOf.has(e.complaintId)) {
        e.teamIds.push(teamOf.get(e.complaintId) ?? null);
        e.teamId ??= teamOf.get(e.complaintId) ?? null;
      }
      for (const client of this.clients) client.send(visibleTo(client.principal, e));
    }
  }
}
