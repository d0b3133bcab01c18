export * from './incoming-mail';
export * from './message-id';
export * from './source-id';
export * from './reference';
export * from './safe-text';
export * from './automated';
export * from './to-events';
