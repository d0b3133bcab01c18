export * from './app-process';
export * from './dovecot';
export * from './fake-x-api';
export * from './kafka-mock-cluster';
export * from './postgres-cluster';
export * from './event-reader';
export * from './npm-start-process';
