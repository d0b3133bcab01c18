import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../../../..');
/** Where `nx build console` (vite build) puts the front-end. */
export const CONSOLE_WEB_ROOT = path.join(root, 'dist', 'apps', 'console', 'web');

/**
 * Builds the front-end into a folder of its own and moves it into place in one rename, so processes
 * starting at the same moment (parallel tests on a fresh clone) never serve or build over half a
 * bundle. `force` rebuilds even when a bundle is there (tests of the current sources).
 */
export function buildConsoleBundle(options: { force?: boolean; log?: (msg: string) => void } = {}): string {
  if (!options.force && existsSync(path.join(CONSOLE_WEB_ROOT, 'index.html'))) return CONSOLE_WEB_ROOT;
  (options.log ?? ((m: string) => process.stderr.write(`${m}\n`)))(
    'building the console front-end (vite build) …',
  );
  const parent = path.dirname(CONSOLE_WEB_ROOT);
  mkdirSync(parent, { recursive: true });
  const tmp = path.join(parent, `.web-${process.pid}-${Date.now()}`);
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      path.join(root, 'apps', 'console', 'vite.config.mts'),
      '--outDir',
      tmp,
      '--emptyOutDir',
    ],
    {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const old = `${tmp}-old`;
  try {
    if (existsSync(CONSOLE_WEB_ROOT)) renameSync(CONSOLE_WEB_ROOT, old);
    renameSync(tmp, CONSOLE_WEB_ROOT);
  } catch {
    // Another process put its (equal) build in place first.
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
  return CONSOLE_WEB_ROOT;
}

/** The built front-end, built first when missing (a fresh clone's first `npm start`; a few seconds, once). */
export function ensureConsoleBundle(): string {
  return buildConsoleBundle();
}
