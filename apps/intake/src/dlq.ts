import os from 'node:os';
import { isoDateTime } from '@klaxon/contracts';
import { loadRuntimeConfig, parseEnv, requireInfrastructure } from '@klaxon/platform/config';
import { KafkaMessageBus, readTopicToEnd } from '@klaxon/platform/messaging';
import { createLogger } from '@klaxon/platform/observability';
import { createDataSource } from '@klaxon/platform/persistence';
import { runMain } from '@klaxon/platform/runtime';
import { z } from 'zod';
import { DeadLetterTool } from './dead-letters';

/**
 * The dead-letter tool, shipped in the intake image as `dlq.cjs` (deploy/k8s/jobs/dlq-replay.yaml):
 *   npm run dlq -- list   --topic complaints.received.v1 [--since 2026-12-01T00:00:00+01:00] [--id 2:15]
 *   npm run dlq -- show   --topic complaints.received.v1 --id 2:15
 *   npm run dlq -- replay --topic complaints.received.v1 [--since …] [--id …]…
 * `--topic` is the original topic (or its `.dlq`); an id is `<partition>:<offset>` of the original
 * message. Output is JSON, one line per dead letter (list/show) or the replay's summary.
 */
export const dlqArgs = z.object({
  command: z.enum(['list', 'show', 'replay']),
  topic: z.string().min(1),
  since: isoDateTime.optional(),
  ids: z.array(z.string().regex(/^\d+:\d+$/, 'an id is <partition>:<offset>')).default([]),
});
export type DlqArgs = z.infer<typeof dlqArgs>;

export function parseDlqArgs(argv: string[]): DlqArgs {
  const [command, ...rest] = argv;
  const raw: { command?: string; topic?: string; since?: string; ids: string[] } = { command, ids: [] };
  for (let i = 0; i < rest.length; i++) {
    const [flag, value] = [rest[i], rest[i + 1]];
    if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value`);
    if (flag === '--topic') raw.topic = value;
    else if (flag === '--since') raw.since = value;
    else if (flag === '--id') raw.ids.push(value);
    else throw new Error(`unknown option ${flag} (use --topic, --since, --id)`);
    i++;
  }
  const parsed = dlqArgs.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `usage: dlq list|show|replay --topic <topic> [--since <ISO 8601>] [--id <partition>:<offset>]…\n` +
        parsed.error.issues.map((i) => `  ${i.path.join('.') || 'command'}: ${i.message}`).join('\n'),
    );
  if (parsed.data.command === 'show' && parsed.data.ids.length === 0) throw new Error('show needs --id');
  return parsed.data;
}

if (require.main === module)
  runMain(async () => {
    const args = parseDlqArgs(process.argv.slice(2));
    const config = loadRuntimeConfig(process.env);
    const { kafka, database } = requireInfrastructure(config, 'dlq');
    const { DLQ_REPLAYED_BY } = parseEnv(
      { DLQ_REPLAYED_BY: z.string().default(process.env.USER ?? process.env.HOSTNAME ?? os.hostname()) },
      process.env,
    );
    const logger = createLogger({ service: 'dlq', level: config.logLevel });
    const bus = new KafkaMessageBus({
      clientId: `${kafka.clientId}-dlq`,
      brokers: kafka.brokers,
      idempotentProducer: kafka.idempotentProducer,
      logger,
      consumer: kafka.consumer,
    });
    const dataSource = createDataSource({ url: database.url, poolMax: 2 });
    await dataSource.initialize();
    try {
      const tool = new DeadLetterTool({
        readTopic: (topic) =>
          readTopicToEnd({
            brokers: kafka.brokers,
            clientId: `${kafka.clientId}-dlq`,
            topic,
            consumer: kafka.consumer,
          }),
        publish: (m) => bus.publish(m),
        dataSource,
      });
      const filter = { topic: args.topic, since: args.since, ids: args.ids };
      const out = (x: unknown) => process.stdout.write(`${JSON.stringify(x)}\n`);
      if (args.command === 'list') for (const d of await tool.list(filter)) out(d);
      else if (args.command === 'show') for (const d of await tool.show(filter)) out(d);
      else {
        const result = await tool.replay(filter, DLQ_REPLAYED_BY);
        out({ ...result, by: DLQ_REPLAYED_BY });
        logger.info({ topic: args.topic, ...result, by: DLQ_REPLAYED_BY }, 'dead letters replayed');
      }
    } finally {
      await bus.close();
      await dataSource.destroy();
    }
  });
