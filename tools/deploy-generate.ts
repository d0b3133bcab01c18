/**
 * npm run deploy:generate — writes the Kubernetes resources derived from the code:
 *   deploy/k8s/components/kafka/topics.yaml  Strimzi KafkaTopics from libs/contracts allTopics()
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { allTopics } from '@klaxon/contracts';
import { TOPICS_FILE, renderKafkaTopics } from './deploy/kafka-topics';

const file = path.resolve(__dirname, '..', TOPICS_FILE);
const topics = allTopics();
writeFileSync(file, renderKafkaTopics(topics));
process.stdout.write(`wrote ${TOPICS_FILE} (${topics.length} topics)\n`);
