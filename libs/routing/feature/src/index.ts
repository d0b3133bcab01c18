export * from './routing.module';
export * from './routing.options';
export * from './assign-owners.service';
export * from './case-events.service';
export * from './queue.scheduler';
export * from './routing-work';
export * from './new-complaint-routing';
export * from './team-queue';
export * from './reassignments';
export * from './root-cause-detector';
export * from './root-cause-work';
export * from './follow-ups';
// The HTTP API's answer types (the console front-end is typed against them).
export type { SignalView } from './signals.service';
export type { CustomerView, UndoResult } from './customers.service';
export type { MemberView } from './organisation.service';
export * from './routing.env';
