import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONSOLE_OPTIONS, type ConsoleOptions } from './console.options';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

/** Serves the built front-end (vite build output) at /console; unknown paths get index.html (client-side routes). */
@Controller('console')
export class StaticAssetsController {
  constructor(@Inject(CONSOLE_OPTIONS) private readonly options: ConsoleOptions) {}

  @Get()
  index(@Res() reply: FastifyReply): Promise<void> {
    return this.serve('index.html', reply);
  }

  @Get('*')
  asset(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(String((request.params as Record<string, string>)['*'] ?? ''), reply);
  }

  private async serve(file: string, reply: FastifyReply): Promise<void> {
    const root = path.resolve(this.options.webRoot);
    let target = path.resolve(root, file);
    if (!target.startsWith(root + path.sep)) target = path.join(root, 'index.html');
    const isFile = await stat(target).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!isFile) target = path.join(root, 'index.html');
    let body: Buffer;
    try {
      body = await readFile(target);
    } catch {
      reply
        .status(503)
        .header('content-type', 'application/json')
        .send({
          error: {
            code: 'console-not-built',
            message: `The console is not built: run npx nx build console (looked in ${root})`,
          },
        });
      return;
    }
    const ext = path.extname(target);
    const immutable = target.includes(`${path.sep}assets${path.sep}`);
    reply
      .status(200)
      .headers({
        ...SECURITY_HEADERS,
        'content-type': TYPES[ext] ?? 'application/octet-stream',
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      })
      .send(body);
  }
}
