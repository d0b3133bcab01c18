export * from './routing.module';
export * from './routing.options';
export * from './assign-owners.service';
