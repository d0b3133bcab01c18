export * from './classifier';
export * from './evaluation';
export * from './model-file';
export * from './priority-rules';
export * from './training';
export { normalizeText, tokenize, MAX_CHARS, MAX_TOKENS } from './text';
export { detectLanguage } from './language';
export * from './mix';
