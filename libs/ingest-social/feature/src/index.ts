export * from './social-ingest.module';
export * from './social-ingest.options';
export * from './social-ingest.pipeline';
export * from './social-ingest.runner';
export * from './social-metrics';
export * from './social-checkpoints';
export * from './x/x-client';
export * from './x/x-source';
