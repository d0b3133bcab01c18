export * from './bus.port';
export * from './failure-policy';
export * from './in-process-message-bus';
export * from './kafka-message-bus';
export * from './bus-transport.server';
export * from './bus-metrics';
export * from './consumer-stalls';
export * from './kafka-topic-reader';
