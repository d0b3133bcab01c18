import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { parseSocialQuery, type SocialSource } from '@klaxon/ingest-social/domain';
import type { Logger, Registry } from '@klaxon/platform/observability';
import { DATA_SOURCE } from '@klaxon/platform/persistence';
import { CLOCK, LOGGER, METRICS, type Clock } from '@klaxon/platform/runtime';
import { SocialIngestPipeline, type SourceStatus } from './social-ingest.pipeline';
import { SOCIAL_INGEST_OPTIONS, type SocialIngestModuleOptions } from './social-ingest.options';
import { SocialMetrics } from './social-metrics';
import { XSource } from './x/x-source';

/** Starts one pipeline per configured network once the app is up; stops them on shutdown. */
@Injectable()
export class SocialIngestRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly pipelines: SocialIngestPipeline[] = [];

  constructor(
    @Inject(SOCIAL_INGEST_OPTIONS) private readonly options: SocialIngestModuleOptions,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS) private readonly registry: Registry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const metrics = new SocialMetrics(this.registry);
    const sources: SocialSource[] = [];
    const x = this.options.x;
    if (x) {
      sources.push(
        new XSource({
          bearerToken: x.bearerToken,
          baseUrl: x.baseUrl,
          ca: x.ca,
          query: typeof x.query === 'string' ? parseSocialQuery(x.query) : x.query,
          pageSize: x.pageSize,
          keepAliveTimeoutMs: x.keepAliveTimeoutMs,
          logger: this.logger,
          onRateLimitWait: (endpoint) =>
            metrics.rateLimitWaits.inc({ channel: 'social', network: 'x', endpoint }),
        }),
      );
    }
    for (const build of this.options.sources ?? []) sources.push(build(this.logger));
    for (const source of sources) {
      const pipeline = new SocialIngestPipeline(
        source,
        { dataSource: this.dataSource, logger: this.logger, metrics, clock: this.clock },
        {
          pollIntervalMs: this.options.pollIntervalMs ?? 60_000,
          authRetryMs: this.options.authRetryMs ?? 300_000,
          resweepDelayMs: this.options.resweepDelayMs,
          reconnect: this.options.reconnect ?? { initialMs: 1_000, maxMs: 60_000 },
        },
      );
      this.pipelines.push(pipeline);
      pipeline.start();
      this.logger.info({ network: source.network, sourceKey: source.sourceKey }, 'social ingest started');
    }
  }

  status(): SourceStatus[] {
    return this.pipelines.map((p) => p.status());
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.pipelines.map((p) => p.stop()));
  }
}
