export * from './parse-env';
export * from './runtime-config';
export * from './api-keys';
export * from './trust-proxy';
