import type { UserSeed } from '@klaxon/platform/auth';

export const CONSOLE_OPTIONS = Symbol('CONSOLE_OPTIONS');

export interface ConsoleOptions {
  /** The built front-end (index.html and assets/). */
  webRoot: string;
  /** People created at start-up when missing (the embedded demo's accounts; never in production). */
  users?: UserSeed[];
}
