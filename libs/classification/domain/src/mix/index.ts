export * from './csv';
export * from './sources';
export * from './read-mix';
export * from './train-mix';
export * from './evaluate-mix';
