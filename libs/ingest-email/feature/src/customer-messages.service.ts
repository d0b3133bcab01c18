import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { CustomerMessageReceived } from '@klaxon/contracts';
import type { ConsumedEvent } from '@klaxon/platform/messaging';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE, appendHistory, claimFresh } from '@klaxon/platform/persistence';
import { LOGGER } from '@klaxon/platform/runtime';

export const CUSTOMER_MESSAGES_CONSUMER = 'klaxon-email-messages';

/**
 * Stores a customer's further message (an email reply) on its complaint: a `customer-message`
 * entry in the complaint's history with the text, sender and how it was linked. Idempotent on the
 * event id: a redelivered or re-published message is stored once.
 */
@Injectable()
export class CustomerMessagesService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(batch: ConsumedEvent<CustomerMessageReceived>[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(manager, CUSTOMER_MESSAGES_CONSUMER, batch, (e) => e.envelope.eventId);
      await appendHistory(
        manager,
        todo.map(({ envelope }) => {
          const m = envelope.data;
          return {
            complaintId: m.complaintId,
            at: m.receivedAt,
            kind: 'customer-message',
            actor: `customer:${m.channel}`,
            reason: `message from the customer (linked by ${m.matchedBy})`,
            data: {
              messageId: m.messageId,
              sourceId: m.sourceId,
              subject: m.subject ?? null,
              text: m.text,
              customer: m.customer,
              matchedBy: m.matchedBy,
              email: m.email ?? null,
            },
            eventId: envelope.eventId,
            correlationId: envelope.correlationId,
          };
        }),
      );
      for (const { envelope } of todo) {
        this.logger.info(
          {
            complaintId: envelope.data.complaintId,
            messageId: envelope.data.messageId,
            matchedBy: envelope.data.matchedBy,
          },
          'customer message stored on complaint',
        );
      }
    });
  }
}
