import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../../../..');
/** Where `nx build console` (vite build) puts the front-end. */
export const CONSOLE_WEB_ROOT = path.join(root, 'dist', 'apps', 'console', 'web');

/** Builds the front-end when it is missing (a fresh clone's first `npm start`); a few seconds, once. */
export function ensureConsoleBundle(
  log: (msg: string) => void = (m) => process.stderr.write(`${m}\n`),
): string {
  if (existsSync(path.join(CONSOLE_WEB_ROOT, 'index.html'))) return CONSOLE_WEB_ROOT;
  log('console front-end not built yet: building it (vite build) …');
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      path.join(root, 'apps', 'console', 'vite.config.mts'),
    ],
    {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  return CONSOLE_WEB_ROOT;
}
