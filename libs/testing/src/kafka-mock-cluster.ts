import { spawn, spawnSync } from 'node:child_process';

/**
 * Consumer tuning for the mock cluster (docs/stack-notes.md): a rebalance waits `sessionTimeout - 1 s`, so short
 * sessions keep group joins and restarts in seconds instead of half a minute.
 */
export const MOCK_CLUSTER_CONSUMER_TUNING = {
  sessionTimeout: 6000,
  heartbeatInterval: 500,
  rebalanceTimeout: 6000,
  maxWaitTimeInMs: 100,
} as const;

export interface KafkaMockCluster {
  /** `127.0.0.1:PORT` per broker, for `KAFKA_BROKERS` or a kafkajs client. */
  brokers: string[];
  /** The environment an app needs to run on this cluster: `KAFKA_BROKERS` and the consumer tuning. */
  appEnv: Record<string, string>;
  stop(): Promise<void>;
}

export interface KafkaMockClusterOptions {
  brokers?: number;
  /** Longest wait for the cluster to print its addresses. */
  startTimeoutMs?: number;
}

/**
 * Starts librdkafka's mock cluster through Debian's `kcat` (see docs/stack-notes.md for what it does and does
 * not do: no CreateTopics, topics auto-created with 4 partitions, the first group join takes ~3 s).
 *
 * kcat runs under a small `sh` wrapper that kills it once our end of the wrapper's stdin closes, so the
 * cluster dies with the test process even when that process is killed.
 */
export async function startKafkaMockCluster({
  brokers = 3,
  startTimeoutMs = 15_000,
}: KafkaMockClusterOptions = {}): Promise<KafkaMockCluster> {
  if (spawnSync('/bin/sh', ['-c', 'command -v kcat'], { stdio: 'ignore', env: process.env }).status !== 0) {
    throw new Error('kcat not found: apt-get install -y kcat');
  }
  const child = spawn(
    '/bin/sh',
    [
      '-c',
      '"$0" "$@" </dev/null >/dev/null & k=$!; read _; kill $k; wait $k',
      'kcat',
      '-C',
      '-q',
      '-b',
      'dummy:9092',
      '-X',
      `test.mock.num.brokers=${brokers}`,
      '-t',
      '__mock_bootstrap',
    ],
    { stdio: ['pipe', 'ignore', 'pipe'], env: process.env },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  const addresses = await new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`kafka mock cluster did not start within ${startTimeoutMs} ms: ${stderr}`)),
      startTimeoutMs,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.stdin!.end();
      reject(error);
    };
    child.once('error', fail);
    child.once('exit', (code) =>
      fail(new Error(`kcat exited with ${code} before the mock cluster started: ${stderr}`)),
    );
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-10_000);
      const match = /replaced with ((?:127\.0\.0\.1:\d+,?)+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].split(',').filter(Boolean));
      }
    });
  });
  child.stderr!.resume();
  // The wrapper must not keep the test process alive by itself.
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  (child.stderr as unknown as { unref?: () => void }).unref?.();

  let stopping: Promise<void> | null = null;
  return {
    brokers: addresses,
    appEnv: {
      KAFKA_BROKERS: addresses.join(','),
      KAFKA_SESSION_TIMEOUT_MS: String(MOCK_CLUSTER_CONSUMER_TUNING.sessionTimeout),
      KAFKA_HEARTBEAT_INTERVAL_MS: String(MOCK_CLUSTER_CONSUMER_TUNING.heartbeatInterval),
      KAFKA_REBALANCE_TIMEOUT_MS: String(MOCK_CLUSTER_CONSUMER_TUNING.rebalanceTimeout),
      KAFKA_MAX_WAIT_MS: String(MOCK_CLUSTER_CONSUMER_TUNING.maxWaitTimeInMs),
      // The mock cluster grants no producer id (kafkajs finds no controller for InitProducerId).
      KAFKA_IDEMPOTENT_PRODUCER: 'false',
    },
    stop: () =>
      (stopping ??= (async () => {
        child.stdin!.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      })()),
  };
}
