export * from './routing.module';
export * from './routing.options';
export * from './assign-owners.service';
export * from './case-events.service';
export * from './queue.scheduler';
export * from './router.core';
