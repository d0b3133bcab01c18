export * from './case-state';
