import { Module, type DynamicModule } from '@nestjs/common';
import { CustomerMessagesController } from './customer-messages.controller';
import { CustomerMessagesService } from './customer-messages.service';
import { EmailHealthController } from './email-health.controller';
import type { MailboxConfig } from './email-ingest.options';
import { EMAIL_MAILBOXES, MailboxWorkersService } from './mailbox-workers.service';

export interface EmailIngestModuleOptions {
  /** Resolved mailboxes (see `mailboxesFromEnv`); empty runs only the reply consumer. */
  mailboxes: MailboxConfig[];
}

/** Email channel: IMAP mailbox workers → complaints.received / complaints.messages, and the reply consumer. */
@Module({})
export class EmailIngestModule {
  static forRoot(options: EmailIngestModuleOptions): DynamicModule {
    return {
      module: EmailIngestModule,
      controllers: [CustomerMessagesController, EmailHealthController],
      providers: [
        { provide: EMAIL_MAILBOXES, useValue: options.mailboxes },
        CustomerMessagesService,
        MailboxWorkersService,
      ],
      exports: [MailboxWorkersService],
    };
  }
}
