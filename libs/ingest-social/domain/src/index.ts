export * from './social-post';
export * from './post-id';
export * from './to-complaint-received';
export * from './social-query';
