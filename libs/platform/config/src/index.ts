export * from './parse-env';
export * from './runtime-config';
