export * from './email-ingest.module';
export * from './email-ingest.options';
export * from './email-metrics';
export * from './email-store';
export * from './mailbox-worker';
export * from './mailbox-workers.service';
export * from './customer-messages.service';
export * from './parse-mail';
