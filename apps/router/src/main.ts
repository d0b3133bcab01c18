import { RoutingModule, routingOptionsFromEnv } from '@klaxon/routing/feature';
import { runApp, runMain } from '@klaxon/platform/runtime';

// Router: complaints.classified → complaints.assigned and escalations (scales on consumer lag).
runMain(() =>
  runApp({
    service: 'router',
    env: process.env,
    defaultPort: 3002,
    features: [RoutingModule.forRoot(routingOptionsFromEnv(process.env))],
  }),
);
