import { Module, type DynamicModule } from '@nestjs/common';
import { SocialHealthController } from './social-health.controller';
import { SOCIAL_INGEST_OPTIONS, type SocialIngestModuleOptions } from './social-ingest.options';
import { SocialIngestRunner } from './social-ingest.runner';

/** Social listening: each configured network's posts become ComplaintReceived events (channel `social`). */
@Module({})
export class SocialIngestModule {
  static forRoot(options: SocialIngestModuleOptions): DynamicModule {
    return {
      module: SocialIngestModule,
      controllers: [SocialHealthController],
      providers: [{ provide: SOCIAL_INGEST_OPTIONS, useValue: options }, SocialIngestRunner],
      exports: [SocialIngestRunner],
    };
  }
}
