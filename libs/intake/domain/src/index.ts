export * from './customer-identity';
export * from './submission';
