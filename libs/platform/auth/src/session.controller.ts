import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiDoc } from '@klaxon/platform/openapi';
import { AccessLog, type AccessLogEntry } from './access';
import { httpError } from './auth-errors';
import { CurrentPrincipal, RequireScope } from './decorators';
import type { Principal } from './principal';
import { CSRF_COOKIE, parseCookies, SESSION_COOKIE, SessionResolver } from './session.resolver';
import { LoginRefused, LoginThrottle } from './login-throttle';
import { UserStore, type LoginResult } from './user.store';

export const loginSchema = z
  .object({ email: z.string().trim().min(3).max(320), password: z.string().min(1).max(1024) })
  .strict();

const sessionSchema = z.object({
  user: z.object({
    id: z.string(),
    name: z.string(),
    email: z.string().optional(),
    role: z.string().optional(),
    teamIds: z.array(z.string()),
    memberId: z.string().nullable(),
    scopes: z.array(z.string()),
  }),
  csrfToken: z.string().describe('Send it as X-CSRF-Token on every POST/PUT/PATCH/DELETE'),
});
export type SessionView = z.infer<typeof sessionSchema>;

const view = (p: Principal, csrfToken: string): SessionView => ({
  user: {
    id: p.id,
    name: p.name,
    email: p.email,
    role: p.role,
    teamIds: p.teamIds ?? [],
    memberId: p.memberId ?? null,
    scopes: p.scopes,
  },
  csrfToken,
});

/** Secure cookies, except over plain HTTP to this machine itself (the local demo on http://localhost). */
function cookieFlags(request: FastifyRequest): string {
  const host = String(request.headers.host ?? '').replace(/:\d+$/, '');
  const local = request.protocol === 'http' && /^(localhost|127\.0\.0\.1|\[::1\])$/.test(host);
  return `Path=/; SameSite=Strict${local ? '' : '; Secure'}`;
}

/** Sign in and out of the console (e-mail + password; session cookie + CSRF token). */
@Controller('api/session')
export class SessionController {
  constructor(
    private readonly users: UserStore,
    private readonly resolver: SessionResolver,
    private readonly throttle: LoginThrottle,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiDoc({
    summary:
      'Sign in (JSON only): sets an HTTP-only session cookie; after 5 wrong passwords in a row the account locks for 15 minutes (answered like a wrong password); attempts are limited per address and per account',
    tags: ['session'],
    body: loginSchema,
    responses: {
      200: { description: 'Signed in', schema: sessionSchema },
      401: { description: 'Wrong e-mail or password, or locked (the same answer)' },
      415: { description: 'Not a JSON body' },
      429: { description: 'Too many attempts from this address or for this account (Retry-After)' },
      503: { description: 'Too many sign-ins at once (Retry-After)' },
    },
  })
  async login(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionView> {
    // JSON only: a form post from another site (login CSRF) cannot sign anyone in.
    if (!/^application\/json\s*(;|$)/i.test(String(request.headers['content-type'] ?? '')))
      throw httpError(
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        'unsupported-media-type',
        'Sign in with a JSON body',
      );
    const parsed = loginSchema.safeParse(body ?? {});
    if (!parsed.success)
      throw httpError(
        HttpStatus.BAD_REQUEST,
        'invalid-field',
        'Give email and password',
        String(parsed.error.issues[0]?.path[0] ?? 'email'),
      );
    let result: LoginResult;
    try {
      result = await this.throttle.attempt(request.ip, parsed.data.email, async () => {
        const r = await this.users.login(parsed.data.email, parsed.data.password);
        return { ok: r.ok, value: r };
      });
    } catch (error) {
      if (!(error instanceof LoginRefused)) throw error;
      reply.header('retry-after', String(error.retryAfterSeconds));
      throw error.status === 429
        ? httpError(
            HttpStatus.TOO_MANY_REQUESTS,
            'too-many-attempts',
            'Too many sign-in attempts: try again later',
          )
        : httpError(
            HttpStatus.SERVICE_UNAVAILABLE,
            'busy',
            'Too many sign-ins at once: try again in a moment',
          );
    }
    // Locked, unknown and wrong answer alike (and take as long): nobody learns which accounts exist or are locked.
    if (!result.ok)
      throw httpError(HttpStatus.UNAUTHORIZED, 'invalid-credentials', 'Wrong e-mail or password');
    const flags = cookieFlags(request);
    const maxAge = Math.floor((result.expiresAt.getTime() - Date.now()) / 1000);
    reply.header('set-cookie', [
      `${SESSION_COOKIE}=${result.token}; ${flags}; HttpOnly; Max-Age=${maxAge}`,
      `${CSRF_COOKIE}=${result.csrfToken}; ${flags}; Max-Age=${maxAge}`,
    ]);
    const session = await this.users.session(result.token);
    return view(session!.principal, result.csrfToken);
  }

  @Get()
  @RequireScope()
  @ApiDoc({
    summary: 'Who is signed in, and the CSRF token',
    tags: ['session'],
    responses: {
      200: { description: 'The session', schema: sessionSchema },
      401: { description: 'Not signed in' },
    },
  })
  async current(
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ): Promise<SessionView> {
    const token = parseCookies(request.headers.cookie)[SESSION_COOKIE];
    const session = token ? await this.users.session(token) : null;
    return view(principal, session?.csrfToken ?? '');
  }

  @Delete()
  @HttpCode(204)
  @ApiDoc({
    summary: 'Sign out (needs X-CSRF-Token)',
    tags: ['session'],
    responses: { 204: { description: 'Signed out' } },
  })
  async logout(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const token = parseCookies(request.headers.cookie)[SESSION_COOKIE];
    if (token) {
      // Only with the CSRF token: another site cannot sign people out either.
      await this.resolver.resolve({ headers: request.headers, method: request.method });
      await this.users.logout(token);
    }
    const flags = cookieFlags(request);
    reply.header('set-cookie', [
      `${SESSION_COOKIE}=; ${flags}; HttpOnly; Max-Age=0`,
      `${CSRF_COOKIE}=; ${flags}; Max-Age=0`,
    ]);
  }
}

const accessLogQuery = z
  .object({
    subjectId: z.string().max(200).optional(),
    actor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

/** Who read which personal data, when (scope admin). */
@Controller('api/access-log')
export class AccessLogController {
  constructor(@Inject(AccessLog) private readonly accessLog: AccessLog) {}

  @Get()
  @RequireScope('admin')
  @ApiDoc({
    summary: 'The access log of personal-data reads, newest first',
    tags: ['session'],
    query: accessLogQuery,
    responses: { 200: { description: 'Entries' } },
  })
  async list(@Query() query: Record<string, string>): Promise<{ items: AccessLogEntry[]; total: number }> {
    const parsed = accessLogQuery.safeParse(query ?? {});
    if (!parsed.success)
      throw httpError(
        HttpStatus.BAD_REQUEST,
        'invalid-field',
        parsed.error.issues[0].message,
        String(parsed.error.issues[0].path[0] ?? ''),
      );
    const items = await this.accessLog.list(parsed.data);
    return { items, total: items.length };
  }
}
