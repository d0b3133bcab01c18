export * from './routing.module';
export * from './routing.options';
export * from './assign-owners.service';
export * from './case-events.service';
export * from './queue.scheduler';
export * from './router.core';
// The HTTP API's answer types (the console front-end is typed against them).
export type { SignalView } from './signals.service';
export type { CustomerView, UndoResult } from './customers.service';
export type { MemberView } from './organisation.service';
export * from './routing.env';
