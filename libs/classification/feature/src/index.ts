export * from './classification.module';
export * from './classifier.provider';
export * from './classify-complaints.service';
