import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { CustomerMessageReceivedEvent, type CustomerMessageReceived } from '@klaxon/contracts';
import { ConsumeEvents, type ConsumedEvent } from '@klaxon/platform/messaging';
import { CUSTOMER_MESSAGES_CONSUMER, CustomerMessagesService } from './customer-messages.service';

/** Replies linked to a complaint → a message in the complaint's history. */
@Controller()
export class CustomerMessagesController {
  constructor(private readonly service: CustomerMessagesService) {}

  @ConsumeEvents(CustomerMessageReceivedEvent, { group: CUSTOMER_MESSAGES_CONSUMER })
  onCustomerMessage(@Payload() batch: ConsumedEvent<CustomerMessageReceived>[]): Promise<void> {
    return this.service.handle(batch);
  }
}
