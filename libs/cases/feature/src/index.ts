export * from './cases.module';
export * from './case-actions.service';
export * from './case-action.dto';
