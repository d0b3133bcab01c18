import type { UserSeed } from '@klaxon/platform/auth';

/** The embedded demo's people (password `demo`); members of the demo organisation the router seeds. Never in a production configuration. */
export const DEMO_USERS: UserSeed[] = [
  {
    email: 'webcare@demo.local',
    name: 'Sanne de Jong',
    role: 'webcare-agent',
    password: 'demo',
    memberId: 'm-webcare-1',
  },
  {
    email: 'handler@demo.local',
    name: 'Noor de Wit',
    role: 'handler',
    password: 'demo',
    memberId: 'm-service-1',
  },
  {
    email: 'senior@demo.local',
    name: 'Luuk de Graaf',
    role: 'senior',
    password: 'demo',
    memberId: 'm-service-senior',
  },
  { email: 'lead@demo.local', name: 'Lotte Visser', role: 'team-lead', password: 'demo', memberId: 'm-lead' },
  { email: 'admin@demo.local', name: 'Demo admin', role: 'admin', password: 'demo' },
];
