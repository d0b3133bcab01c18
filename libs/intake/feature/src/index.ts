export * from './intake.module';
export * from './complaint-view';
export * from './submit-complaint.dto';
export { complaintFormSchema, type FormRateLimit } from './complaint-form.controller';
