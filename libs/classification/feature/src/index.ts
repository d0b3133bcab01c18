export * from './classification.module';
export * from './classifier.provider';
export * from './classify-complaints.service';
export * from './corrections.controller';
export * from './record-corrections.service';
