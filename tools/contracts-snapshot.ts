/**
 * Freezes the schema of every released event version (libs/contracts/src/schema-snapshots).
 * Run once when a new version is introduced; it never overwrites an existing snapshot, because a
 * released version is a promise to its consumers.  npm run contracts:snapshot
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ALL_EVENTS, snapshotFileName, snapshotOf } from '@klaxon/contracts';

const dir = path.resolve(__dirname, '../libs/contracts/src/schema-snapshots');
mkdirSync(dir, { recursive: true });
for (const contract of ALL_EVENTS) {
  const file = path.join(dir, snapshotFileName(contract));
  if (existsSync(file)) continue;
  writeFileSync(file, JSON.stringify(snapshotOf(contract), null, 2) + '\n');
  console.log(`froze ${contract.topic}`);
}
