import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { DataSource } from 'typeorm';
import {
  KafkaMessageBus,
  PermanentMessageError,
  readTopicToEnd,
  type IncomingMessage,
  type Subscription,
} from '@klaxon/platform/messaging';
import { silentLogger } from '@klaxon/platform/observability';
import { createDataSource, runMigrations } from '@klaxon/platform/persistence';
import {
  MOCK_CLUSTER_CONSUMER_TUNING,
  startKafkaMockCluster,
  startPostgresCluster,
  type KafkaMockCluster,
  type PostgresCluster,
} from '@klaxon/testing';
import { DeadLetterTool } from './dead-letters';
import { parseDlqArgs } from './dlq';

// The dead-letter tool against the Kafka mock cluster and a real PostgreSQL.
jest.setTimeout(180_000);

let kafka: KafkaMockCluster;
let pg: PostgresCluster;
let ds: DataSource;
let bus: KafkaMessageBus;
let databaseUrl: string;
const subscriptions: Subscription[] = [];

beforeAll(async () => {
  [kafka, pg] = await Promise.all([startKafkaMockCluster({ brokers: 1 }), startPostgresCluster()]);
  databaseUrl = await pg.createDatabase('dlq_tool');
  ds = createDataSource({ url: databaseUrl, poolMax: 4 });
  await ds.initialize();
  await runMigrations(ds);
  bus = new KafkaMessageBus({
    clientId: 'dlq-test',
    brokers: kafka.brokers,
    logger: silentLogger,
    consumer: { ...MOCK_CLUSTER_CONSUMER_TUNING, partitionsConsumedConcurrently: 4 },
  });
});

afterAll(async () => {
  for (const s of subscriptions) await s.stop();
  await bus?.close();
  await ds?.destroy();
  await Promise.all([kafka?.stop(), pg?.stop()]);
});

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const json = (o: object) => Buffer.from(JSON.stringify(o));
const valueOf = (m: IncomingMessage) => (JSON.parse(m.value!.toString()) as { n: string }).n;

describe('npm run dlq -- list|show|replay', () => {
  it('lists the dead letters, shows one, and replays each once onto its topic with its key', async () => {
    const topic = `dlqtool.${randomUUID().slice(0, 8)}`;
    const handled: IncomingMessage[] = [];
    // The consumer refuses "bad" messages until the fix is out: then it takes the replayed ones.
    subscriptions.push(
      await bus.subscribe({
        groupId: `dlq-consumer-${randomUUID().slice(0, 8)}`,
        topics: [topic],
        handler: async (batch) => {
          const refused = batch.filter(
            (m) => valueOf(m).startsWith('bad') && !m.headers['klaxon-replayed-from'],
          );
          handled.push(...batch.filter((m) => !refused.includes(m)));
          return {
            rejected: refused.map((message) => ({
              message,
              error: new PermanentMessageError('bad-input', `no: ${valueOf(message)}`),
            })),
          };
        },
      }),
    );
    const values = ['good-1', 'bad-1', 'good-2', 'bad-2', 'bad-3'];
    await bus.publish(values.map((n) => ({ topic, key: `key-${n}`, value: json({ n }), headers: { h: n } })));
    await until(() => handled.length === 2, 'the good ones handled');

    const tool = new DeadLetterTool({
      readTopic: (t) =>
        readTopicToEnd({
          brokers: kafka.brokers,
          clientId: 'dlq-test-tool',
          topic: t,
          consumer: MOCK_CLUSTER_CONSUMER_TUNING,
        }),
      publish: (m) => bus.publish(m),
      dataSource: ds,
    });
    let listed = await tool.list({ topic });
    await until(async () => (listed = await tool.list({ topic })).length === 3, 'three dead letters');
    expect(listed.map((d) => d.key).sort()).toEqual(['key-bad-1', 'key-bad-2', 'key-bad-3']);
    expect(listed.every((d) => d.error.code === 'bad-input' && d.replayedAt === undefined)).toBe(true);
    expect(await tool.list({ topic: `${topic}.dlq`, since: '2999-01-01T00:00:00+00:00' })).toEqual([]);

    const bad2 = listed.find((d) => d.key === 'key-bad-2')!;
    const [shown] = await tool.show({ topic, ids: [bad2.id] });
    expect(shown).toMatchObject({ id: bad2.id, value: { n: 'bad-2' }, headers: { h: 'bad-2' } });

    expect(await tool.replay({ topic, ids: [bad2.id] }, 'test-operator')).toEqual({
      replayed: [bad2.id],
      alreadyReplayed: [],
      unreadable: 0,
    });
    await until(() => handled.some((m) => valueOf(m) === 'bad-2'), 'the replayed message handled');

    const all = await tool.replay({ topic }, 'test-operator');
    expect(all.replayed).toHaveLength(2);
    expect(all.alreadyReplayed).toEqual([bad2.id]);
    expect(await tool.replay({ topic }, 'test-operator')).toMatchObject({ replayed: [] });
    await until(() => handled.length === 5, 'every replayed message handled');

    // Each once, on its original key (so on its partition, in its key's order), marked as replayed.
    expect(handled.map(valueOf).sort()).toEqual([...values].sort());
    for (const m of handled.filter((x) => valueOf(x).startsWith('bad'))) {
      expect(m.key).toBe(`key-${valueOf(m)}`);
      expect(m.headers['klaxon-replayed-from']).toMatch(new RegExp(`^${topic}\\.dlq/\\d+/\\d+$`));
    }
    const rows = (await ds.query(
      `SELECT replayed_by, error_code FROM dead_letter_replays WHERE original_topic = $1`,
      [topic],
    )) as Array<{ replayed_by: string; error_code: string }>;
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.replayed_by === 'test-operator' && r.error_code === 'bad-input')).toBe(true);
    expect((await tool.list({ topic })).every((d) => d.replayedBy === 'test-operator')).toBe(true);

    // The same through the command line, as `npm run dlq --` and the Job run it.
    const cli = async (...args: string[]) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['-r', '@swc-node/register', path.join(__dirname, 'dlq.ts'), ...args],
        {
          cwd: path.resolve(__dirname, '../../..'),
          env: { ...process.env, ...kafka.appEnv, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
        },
      );
      return stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    };
    const lines = await cli('list', '--topic', `${topic}.dlq`);
    expect(lines.map((l) => l.key).sort()).toEqual(['key-bad-1', 'key-bad-2', 'key-bad-3']);
    expect(lines.every((l) => l.replayedBy === 'test-operator')).toBe(true);
    expect(await cli('replay', '--topic', topic)).toEqual([
      expect.objectContaining({ replayed: [], unreadable: 0 }),
    ]);
  });

  it('parses its arguments and refuses what it does not know', () => {
    expect(parseDlqArgs(['replay', '--topic', 't', '--id', '1:2', '--id', '0:7'])).toEqual({
      command: 'replay',
      topic: 't',
      ids: ['1:2', '0:7'],
    });
    expect(parseDlqArgs(['list', '--topic', 't', '--since', '2026-12-01T00:00:00+01:00']).since).toBe(
      '2026-12-01T00:00:00+01:00',
    );
    expect(() => parseDlqArgs(['purge', '--topic', 't'])).toThrow(/usage/);
    expect(() => parseDlqArgs(['list'])).toThrow(/topic/);
    expect(() => parseDlqArgs(['list', '--topic', 't', '--since', 'yesterday'])).toThrow(/since/);
    expect(() => parseDlqArgs(['show', '--topic', 't'])).toThrow(/--id/);
    expect(() => parseDlqArgs(['list', '--topic', 't', '--force', 'x'])).toThrow(/unknown option/);
  });
});
