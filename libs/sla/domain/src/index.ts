export * from './calendar';
export * from './policy';
export * from './plan';
export * from './escalation';
export * from './prediction';
export * from './acknowledgement';
export * from './incident-notice';
