import { EmailIngestModule, mailboxesFromEnv } from '@klaxon/ingest-email/feature';
import { runApp, runMain } from '@klaxon/platform/runtime';

// Email ingest: IMAP mailboxes → complaints.received (and replies → complaints.messages).
// One mailbox from IMAP_HOST/IMAP_PORT/IMAP_SECURE/IMAP_USER/IMAP_PASSWORD|IMAP_ACCESS_TOKEN/IMAP_MAILBOX,
// more from IMAP_MAILBOXES_JSON or IMAP_MAILBOXES_FILE; validated once here, before anything connects.
runMain(async () => {
  const mailboxes = mailboxesFromEnv(process.env);
  if (mailboxes.length === 0)
    throw new Error(
      'email-ingest has no mailbox: set IMAP_HOST, IMAP_USER and IMAP_PASSWORD (or IMAP_MAILBOXES_JSON)',
    );
  return runApp({
    service: 'email-ingest',
    env: process.env,
    defaultPort: 3004,
    features: [EmailIngestModule.forRoot({ mailboxes })],
  });
});
