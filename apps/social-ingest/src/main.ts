import { SocialIngestModule, socialOptionsFromEnv } from '@klaxon/ingest-social/feature';
import { runApp, runMain } from '@klaxon/platform/runtime';

// Social listening: X mentions of the brand's handles and keywords → complaints.received (channel social).
// X_BEARER_TOKEN and X_QUERY are required here; TLS trust for X_API_BASE_URL comes from NODE_EXTRA_CA_CERTS.
// async: a configuration error becomes runMain's one-line fatal log, not a stack trace.
runMain(async () => {
  const social = socialOptionsFromEnv(process.env, true);
  return runApp({
    service: 'social-ingest',
    env: process.env,
    defaultPort: 3005,
    features: [SocialIngestModule.forRoot(social!)],
  });
});
