export * from './api-doc.decorator';
export * from './openapi.document';
export * from './openapi.controller';
export * from './openapi.module';
