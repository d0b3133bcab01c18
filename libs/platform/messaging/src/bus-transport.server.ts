import { applyDecorators, Catch, UseFilters, type RpcExceptionFilter } from '@nestjs/common';
import {
  BaseRpcContext,
  EventPattern,
  Server,
  type CustomTransportStrategy,
  type MessageHandler,
} from '@nestjs/microservices';
import { isObservable, lastValueFrom, throwError, type Observable } from 'rxjs';
import { decodeEvent, type EventContract, type EventEnvelope } from '@klaxon/contracts';
import type { Logger, Registry } from '@klaxon/platform/observability';
import {
  PermanentMessageError,
  type BatchOutcome,
  type IncomingMessage,
  type MessageBus,
  type MessageRejection,
  type RetryPolicy,
  type Subscription,
} from './bus.port';
import { StageMetrics } from './stage-metrics';

/** What a `@ConsumeEvents` handler receives, one per message of the batch, in partition order. */
export interface ConsumedEvent<T> {
  envelope: EventEnvelope<T>;
  message: IncomingMessage;
}

/** What a `@ConsumeEvents` handler may return to reject single events and keep the effects on the others. */
export interface ConsumedBatchOutcome {
  rejected: Array<{ event: ConsumedEvent<unknown>; error: unknown }>;
}

/** Transport id of the bus: `@ConsumeEvents` handlers are served by `BusTransportServer` only. */
export const BUS_TRANSPORT = Symbol('klaxon-bus');

export interface ConsumeEventsOptions {
  /** Consumer group: every group gets every event once; members of one group share the partitions. */
  group: string;
  retry?: RetryPolicy;
}

interface ConsumeExtras {
  klaxonContract: EventContract<string, unknown>;
  klaxonGroup: string;
  klaxonRetry?: RetryPolicy;
}

/**
 * Hands the handler's own error to the transport: Nest's default RPC filter would turn it into
 * `{ status: 'error', message: 'Internal server error' }`, losing `PermanentMessageError` and the reason.
 */
@Catch()
export class RethrowToBusFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Marks a controller method as the consumer of one event type, in batches:
 * `@ConsumeEvents(ComplaintReceivedEvent, { group: 'klaxon-classifier' }) handle(@Payload() batch: ConsumedEvent<ComplaintReceived>[])`.
 * Throwing fails the batch (retried, split, the messages failing alone dead-lettered); return
 * `{ rejected: [{ event, error }] }` to reject single events.
 */
export function ConsumeEvents<T>(
  contract: EventContract<string, T>,
  options: ConsumeEventsOptions,
): MethodDecorator {
  const extras: ConsumeExtras = {
    klaxonContract: contract as unknown as EventContract<string, unknown>,
    klaxonGroup: options.group,
    ...(options.retry ? { klaxonRetry: options.retry } : {}),
  };
  return applyDecorators(
    EventPattern({ topic: contract.topic, group: options.group }, BUS_TRANSPORT, extras),
    UseFilters(new RethrowToBusFilter()),
  );
}

/** The context argument of a bus handler (`@Ctx()`): the raw messages, the group and the topic. */
export class BusContext extends BaseRpcContext<[IncomingMessage[], string, string]> {
  get messages(): IncomingMessage[] {
    return this.args[0];
  }
  get group(): string {
    return this.args[1];
  }
  get topic(): string {
    return this.args[2];
  }
}

export interface BusTransportOptions {
  logger: Logger;
  /** Messages per handler call. */
  batchSize?: number;
  /** Per-stage queue wait, handling time and complaint age (`klaxon_stage_*`, `klaxon_complaint_age_seconds`). */
  metrics?: Registry;
}

function isOutcome(value: unknown): value is ConsumedBatchOutcome {
  return (
    typeof value === 'object' && value !== null && Array.isArray((value as { rejected?: unknown }).rejected)
  );
}

/**
 * Nest custom transport serving `@ConsumeEvents` handlers over a `MessageBus`. Each handler gets its
 * own subscription (its group, its contract's topic). A batch is decoded with the contract; what does
 * not decode (malformed-json, invalid-envelope, wrong-event-type, schema-mismatch) is dead-lettered at
 * once with that code, the rest goes to the handler in one call, and the batch is committed only after
 * the handler's Promise/Observable completes.
 */
export class BusTransportServer extends Server implements CustomTransportStrategy {
  override readonly transportId = BUS_TRANSPORT;
  private readonly subscriptions: Subscription[] = [];
  private readonly busLogger: Logger;
  private readonly batchSize: number;
  private readonly stageMetrics: StageMetrics;

  constructor(
    private readonly bus: MessageBus,
    options: BusTransportOptions,
  ) {
    super();
    this.busLogger = options.logger.child({ component: 'bus-transport' });
    this.batchSize = options.batchSize ?? 500;
    this.stageMetrics = new StageMetrics(options.metrics);
  }

  async listen(callback: (...optionalParams: unknown[]) => void): Promise<void> {
    const pending: Array<Promise<Subscription>> = [];
    for (const [pattern, handler] of this.messageHandlers) {
      const extras = handler.extras as Partial<ConsumeExtras> | undefined;
      if (!extras?.klaxonContract || !extras.klaxonGroup) {
        this.busLogger.warn({ pattern }, 'event handler without @ConsumeEvents metadata ignored');
        continue;
      }
      pending.push(this.subscribe(extras.klaxonContract, extras.klaxonGroup, extras.klaxonRetry, handler));
    }
    // In parallel: on Kafka every group join takes a while.
    const results = await Promise.allSettled(pending);
    for (const r of results) if (r.status === 'fulfilled') this.subscriptions.push(r.value);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await this.close();
      callback(failed.reason);
      return;
    }
    callback();
  }

  private subscribe(
    contract: EventContract<string, unknown>,
    group: string,
    retry: RetryPolicy | undefined,
    handler: MessageHandler,
  ): Promise<Subscription> {
    this.busLogger.info({ topic: contract.topic, group }, 'consuming');
    return this.bus.subscribe({
      groupId: group,
      topics: [contract.topic],
      maxBatchSize: this.batchSize,
      ...(retry ? { retry } : {}),
      handler: async (messages): Promise<BatchOutcome> => {
        const rejected: MessageRejection[] = [];
        const events: ConsumedEvent<unknown>[] = [];
        for (const message of messages) {
          const decoded = decodeEvent(contract, message.value);
          if (decoded.ok) events.push({ envelope: decoded.envelope, message });
          else rejected.push({ message, error: new PermanentMessageError(decoded.code, decoded.message) });
        }
        if (events.length > 0) {
          this.stageMetrics.consumed(
            contract.topic,
            group,
            events.map((e) => e.envelope),
          );
          const handled = this.stageMetrics.startHandling(contract.topic, group);
          let result: unknown = await handler(events, new BusContext([messages, group, contract.topic]));
          if (isObservable(result)) result = await lastValueFrom(result, { defaultValue: undefined });
          handled();
          if (isOutcome(result))
            for (const r of result.rejected) rejected.push({ message: r.event.message, error: r.error });
        }
        return { rejected };
      },
    });
  }

  /** Stops every subscription gracefully: in-flight batches finish and commit. */
  async close(): Promise<void> {
    const subscriptions = this.subscriptions.splice(0);
    await Promise.all(subscriptions.map((s) => s.stop()));
  }

  /** No transport events of its own: the bus's `isHealthy()` is what probes watch. */
  on(): void {
    this.busLogger.debug('BusTransportServer.on() ignored: the transport emits no events');
  }

  unwrap<T>(): T {
    return this.bus as T;
  }
}
