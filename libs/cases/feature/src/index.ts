export * from './cases.module';
export * from './case-actions.service';
export * from './case-action.dto';
export * from './thread.service';
export * from './thread.view';
export * from './outgoing-messages';
