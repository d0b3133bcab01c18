import type { DynamicModule, Type } from '@nestjs/common';
import { loadRuntimeConfig, type ApiKeySeed, type Env } from '@klaxon/platform/config';
import { connectInfrastructure } from './infrastructure';
import { startApp, stopOnSignals, type RunningApp } from './start-app';

export interface RunAppOptions {
  service: string;
  /** The process environment, read once here (apps pass `process.env`). */
  env: Env;
  defaultPort: number;
  features: Array<Type | DynamicModule>;
  /** Only the all-in-one app: in-process bus and embedded PostgreSQL when KAFKA_BROKERS / DATABASE_URL are unset. */
  embedded?: { dataDir: string | undefined };
  bodyLimitBytes?: number;
  /** API keys to create at start-up besides API_KEYS (the embedded demo key). */
  apiKeys?: ApiKeySeed[];
  /** Install SIGTERM/SIGINT handlers (off in tests that start apps in-process). */
  handleSignals?: boolean;
}

/** Everything an app's main.ts does: validate config, connect the real parts, serve, stop gracefully. */
export async function runApp(options: RunAppOptions): Promise<RunningApp> {
  const config = loadRuntimeConfig(options.env);
  const infrastructure = await connectInfrastructure({
    service: options.service,
    config,
    embedded: options.embedded,
  });
  try {
    const running = await startApp({
      service: options.service,
      infrastructure,
      features: options.features,
      http: {
        port: config.http.port ?? options.defaultPort,
        host: config.http.host,
        bodyLimitBytes: options.bodyLimitBytes,
      },
      processedEventsRetentionMs: config.processedEventsRetentionMs,
      apiKeys: [
        ...config.apiKeys,
        ...(options.apiKeys ?? []).filter((k) => !config.apiKeys.some((c) => c.name === k.name)),
      ],
    });
    if (options.handleSignals !== false)
      stopOnSignals(running, infrastructure.logger, config.shutdownTimeoutMs);
    return running;
  } catch (error) {
    await infrastructure.close();
    throw error;
  }
}

/** For main.ts: a start-up failure — thrown or rejected — is one clear log line and exit code 1. */
export function runMain(start: () => Promise<unknown>): void {
  Promise.resolve()
    .then(start)
    .catch((error: unknown) => {
      process.stderr.write(
        `${JSON.stringify({ level: 'fatal', msg: 'start-up failed', err: { message: (error as Error)?.message, stack: (error as Error)?.stack } })}\n`,
      );
      process.exit(1);
    });
}
