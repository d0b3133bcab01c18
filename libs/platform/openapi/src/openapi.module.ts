import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { OPENAPI_INFO, OpenApiController, RouteCatalogue, type OpenApiInfo } from './openapi.controller';

/** Serves /api/docs for whatever routes the app has; the runtime includes it in every app. */
@Module({})
export class OpenApiModule {
  static forRoot(info: OpenApiInfo): DynamicModule {
    return {
      module: OpenApiModule,
      imports: [DiscoveryModule],
      controllers: [OpenApiController],
      providers: [RouteCatalogue, { provide: OPENAPI_INFO, useValue: info }],
      exports: [RouteCatalogue],
    };
  }
}
