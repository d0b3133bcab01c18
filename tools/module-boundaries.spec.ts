import { execFileSync } from 'node:child_process';
import path from 'node:path';

// Proves the boundary matrix is live: each snippet below must be refused by the lint rule when it
// stands in the named project. Without a project graph the Nx rule silently skips; this catches that too.
const root = path.resolve(__dirname, '..');

// The real eslint CLI (its flat config is ESM, which Jest's module system cannot load).
async function boundaryErrors(file: string, code: string): Promise<string[]> {
  let out: string;
  try {
    out = execFileSync(
      path.join(root, 'node_modules/.bin/eslint'),
      ['--stdin', '--stdin-filename', path.join(root, file), '--format', 'json'],
      { cwd: root, input: code, encoding: 'utf8' },
    );
  } catch (error) {
    out = (error as { stdout: string }).stdout; // exit code 1 when there are lint errors
  }
  const [result] = JSON.parse(out) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
  return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

beforeAll(() => {
  execFileSync('npx', ['nx', 'show', 'projects'], {
    cwd: root,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    stdio: 'ignore',
  });
}, 60_000);

describe('module boundaries', () => {
  it.each([
    [
      'a domain lib importing an adapter package',
      'libs/routing/domain/src/x.ts',
      "import { DataSource } from 'typeorm';\nexport const x = DataSource;\n",
    ],
    [
      'a domain lib importing Nest',
      'libs/sla/domain/src/x.ts',
      "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n",
    ],
    [
      'a domain lib importing a platform lib',
      'libs/routing/domain/src/x.ts',
      "import { createLogger } from '@klaxon/platform/observability';\nexport const x = createLogger;\n",
    ],
    [
      'one stage importing another',
      'libs/routing/feature/src/x.ts',
      "import { DEFAULT_CALENDAR } from '@klaxon/sla/domain';\nexport const x = DEFAULT_CALENDAR;\n",
    ],
    [
      'a platform lib importing a stage',
      'libs/platform/messaging/src/x.ts',
      "import { DEFAULT_CALENDAR } from '@klaxon/sla/domain';\nexport const x = DEFAULT_CALENDAR;\n",
    ],
    [
      'the contracts importing anything',
      'libs/contracts/src/x.ts',
      "import { createLogger } from '@klaxon/platform/observability';\nexport const x = createLogger;\n",
    ],
    [
      'platform/errors (pure, importable by domains) importing another platform lib',
      'libs/platform/errors/src/x.ts',
      "import { createLogger } from '@klaxon/platform/observability';\nexport const x = createLogger;\n",
    ],
    [
      'production code importing the testing lib',
      'libs/platform/persistence/src/x.ts',
      "import * as t from '@klaxon/testing';\nexport const x = t;\n",
    ],
  ])('refuses %s', async (_what, file, code) => {
    expect(await boundaryErrors(file, code)).not.toHaveLength(0);
  });

  it('allows what the matrix allows', async () => {
    expect(
      await boundaryErrors(
        'libs/routing/feature/src/x.ts',
        "import { matchRule } from '@klaxon/routing/domain';\nimport { ALL_EVENTS } from '@klaxon/contracts';\nexport const x = [matchRule, ALL_EVENTS];\n",
      ),
    ).toEqual([]);
    expect(
      await boundaryErrors(
        'libs/routing/domain/src/x.ts',
        "import { backoffDelay } from '@klaxon/platform/errors';\nexport const x = backoffDelay;\n",
      ),
    ).toEqual([]);
    expect(
      await boundaryErrors(
        'libs/platform/messaging/src/x.spec.ts',
        "import * as t from '@klaxon/testing';\nexport const x = t;\n",
      ),
    ).toEqual([]);
  });
});
