/**
 * npm run deploy:generate [-- --check] — writes the Kubernetes resources derived from the code:
 *   deploy/k8s/components/kafka/topics.yaml  Strimzi KafkaTopics from libs/contracts allTopics()
 * With --check it writes nothing and exits 1 when the file on disk is stale (test/deploy runs this).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { allTopics } from '@klaxon/contracts';
import { TOPICS_FILE, renderKafkaTopics } from './deploy/kafka-topics';

const file = path.resolve(__dirname, '..', TOPICS_FILE);
const topics = allTopics();
const wanted = renderKafkaTopics(topics);
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== wanted) {
    process.stderr.write(
      `${TOPICS_FILE} is stale (the contracts changed): run npm run deploy:generate and commit the result\n`,
    );
    process.exit(1);
  }
  process.stdout.write(`${TOPICS_FILE} is up to date (${topics.length} topics)\n`);
} else {
  writeFileSync(file, wanted);
  process.stdout.write(`wrote ${TOPICS_FILE} (${topics.length} topics)\n`);
}
