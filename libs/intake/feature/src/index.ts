export * from './intake.module';
export * from './complaint-view';
export * from './submit-complaint.dto';
