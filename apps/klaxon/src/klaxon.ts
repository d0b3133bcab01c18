import { CasesModule } from '@klaxon/cases/feature';
import { ClassificationModule } from '@klaxon/classification/feature';
import { ConsoleModule, DEMO_USERS, ensureConsoleBundle } from '@klaxon/console/feature';
import { EmailIngestModule, mailboxesFromEnv } from '@klaxon/ingest-email/feature';
import { SocialIngestModule, socialOptionsFromEnv } from '@klaxon/ingest-social/feature';
import { IntakeModule } from '@klaxon/intake/feature';
import { API_KEY_SCOPES, type Env } from '@klaxon/platform/config';
import { runApp, type RunningApp } from '@klaxon/platform/runtime';
import { RoutingModule, routingOptionsFromEnv } from '@klaxon/routing/feature';
import { SlaModule, customerMessagingFromEnv } from '@klaxon/sla/feature';

export interface KlaxonOptions {
  env: Env;
  /** Embedded PostgreSQL's data folder; undefined keeps it in memory (tests). */
  dataDir: string | undefined;
  modelPath?: string;
  handleSignals?: boolean;
}

/** The same stage modules the separate apps run, wired into one process. */
export async function startKlaxon(options: KlaxonOptions): Promise<RunningApp> {
  // Email joins when IMAP_HOST (or IMAP_MAILBOXES_JSON/FILE) is set; invalid settings stop the start.
  const mailboxes = mailboxesFromEnv(options.env);
  // X joins when X_BEARER_TOKEN is set (with X_QUERY); invalid settings stop the start.
  const social = socialOptionsFromEnv(options.env, false);
  return runApp({
    service: 'klaxon',
    env: options.env,
    defaultPort: 3000,
    embedded: { dataDir: options.dataDir },
    bodyLimitBytes: 256 * 1024,
    handleSignals: options.handleSignals,
    // The embedded demo (no DATABASE_URL) has the API key `demo` with every scope; never with a real database.
    apiKeys: options.env.DATABASE_URL?.trim()
      ? []
      : [{ name: 'demo', key: 'demo', scopes: [...API_KEY_SCOPES] }],
    features: [
      IntakeModule,
      ClassificationModule.forRoot({ modelPath: options.modelPath }),
      RoutingModule.forRoot(routingOptionsFromEnv(options.env)),
      // Without SMTP_* the embedded demo keeps outgoing mail in its mail catcher ("Sent mail" in the console).
      SlaModule.forRoot(
        customerMessagingFromEnv(options.env, { embedded: !options.env.DATABASE_URL?.trim() }),
      ),
      CasesModule,
      ...(mailboxes.length ? [EmailIngestModule.forRoot({ mailboxes })] : []),
      ...(social ? [SocialIngestModule.forRoot(social)] : []),
      // The console at /console; the embedded demo (no DATABASE_URL) has the demo people, password `demo`.
      ConsoleModule.forRoot({
        webRoot: ensureConsoleBundle(),
        users: options.env.DATABASE_URL?.trim() ? [] : DEMO_USERS,
      }),
    ],
  });
}
