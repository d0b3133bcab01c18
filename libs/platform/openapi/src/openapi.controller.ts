import { Controller, Get, Header, Inject, Injectable, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { API_DOC_KEY, ApiDoc, REQUIRED_SCOPES_KEY, type ApiDocOptions } from './api-doc.decorator';
import { buildOpenApiDocument, type DocumentedRoute } from './openapi.document';

export const OPENAPI_INFO = Symbol('OPENAPI_INFO');
export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

const join = (...parts: string[]) =>
  `/${parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/')}`;

/** Finds every HTTP route of the running app from Nest's own metadata, with its @ApiDoc and @RequireScope. */
@Injectable()
export class RouteCatalogue {
  private routes: DocumentedRoute[] | null = null;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  all(): DocumentedRoute[] {
    if (this.routes) return this.routes;
    const routes: DocumentedRoute[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const type = wrapper.metatype as (new (...a: unknown[]) => unknown) | undefined;
      if (!type || !wrapper.instance) continue;
      const prefixes = [this.reflector.get<string | string[] | undefined>(PATH_METADATA, type) ?? '/'].flat();
      const proto = Object.getPrototypeOf(wrapper.instance) as object;
      for (const name of this.scanner.getAllMethodNames(proto)) {
        const handler = (proto as Record<string, unknown>)[name] as (...a: unknown[]) => unknown;
        const paths = this.reflector.get<string | string[] | undefined>(PATH_METADATA, handler);
        const method = this.reflector.get<RequestMethod | undefined>(METHOD_METADATA, handler);
        if (paths === undefined || method === undefined) continue; // not a route (e.g. an event consumer)
        const doc = this.reflector.get<ApiDocOptions | undefined>(API_DOC_KEY, handler);
        const scopes = this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_SCOPES_KEY, [
          handler,
          type,
        ]);
        for (const prefix of prefixes)
          for (const path of [paths].flat())
            routes.push({ method: RequestMethod[method], path: join(prefix, path), doc, scopes });
      }
    }
    return (this.routes = routes);
  }
}

/** `GET /api/docs` (a small HTML page) and `GET /api/docs/openapi.json` (the document). */
@Controller('api/docs')
export class OpenApiController {
  private document: Record<string, unknown> | null = null;

  constructor(
    private readonly catalogue: RouteCatalogue,
    @Inject(OPENAPI_INFO) private readonly info: OpenApiInfo,
  ) {}

  @Get('openapi.json')
  @ApiDoc({ summary: 'This OpenAPI document', hidden: true })
  openapi(): Record<string, unknown> {
    return (this.document ??= buildOpenApiDocument(this.info, this.catalogue.all()));
  }

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @ApiDoc({ summary: 'API documentation (HTML)', hidden: true })
  page(): string {
    const doc = this.openapi() as {
      paths: Record<
        string,
        Record<string, { summary: string; description?: string; 'x-required-scopes'?: string[] }>
      >;
    };
    const esc = (s: string) =>
      s.replace(
        /[&<>"']/g,
        (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
      );
    const rows = Object.entries(doc.paths)
      .flatMap(([path, ops]) =>
        Object.entries(ops).map(
          ([method, op]) =>
            `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${esc(path)}</code></td><td>${esc(op.summary)}</td><td>${
              op['x-required-scopes'] ? esc(op['x-required-scopes'].join(' or ') || 'any key') : 'public'
            }</td></tr>`,
        ),
      )
      .join('\n');
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(this.info.title)} — API</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:top}</style>
</head><body><main>
<h1>${esc(this.info.title)} API</h1>
<p>The machine-readable OpenAPI 3.1 document: <a href="/api/docs/openapi.json">/api/docs/openapi.json</a>.
Authenticate with <code>Authorization: Bearer &lt;api key&gt;</code>. Errors always have the shape
<code>{"error":{"code","message","field"?}}</code>.</p>
<table><thead><tr><th scope="col">Method</th><th scope="col">Path</th><th scope="col">What</th><th scope="col">Scope</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</main></body></html>`;
  }
}
