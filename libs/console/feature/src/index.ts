export * from './console.options';
export * from './console.module';
export * from './demo-users';
export * from './live-feed';
export * from './events.controller';
export * from './console-bundle';
