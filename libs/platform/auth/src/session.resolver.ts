import { timingSafeEqual } from 'node:crypto';
import { HttpStatus, Injectable, type OnModuleInit } from '@nestjs/common';
import { httpError } from './auth-errors';
import type { AuthRequest, Principal, PrincipalResolver } from './principal';
import { PrincipalResolvers } from './principal-resolvers';
import { UserStore } from './user.store';

export const SESSION_COOKIE = 'klaxon_session';
export const CSRF_COOKIE = 'klaxon_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function parseCookies(header: string | string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (Array.isArray(header) ? header.join(';') : (header ?? '')).split(';')) {
    const eq = part.indexOf('=');
    const name = eq < 0 ? '' : part.slice(0, eq).trim();
    if (!name) continue;
    if (!(name in out)) {
      try {
        out[name] = decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        out[name] = part.slice(eq + 1).trim();
      }
    }
  }
  return out;
}

const sameToken = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The console's signed-in people: a session cookie (HTTP-only, SameSite=Strict). A state-changing
 * request must also carry the session's CSRF token in `X-CSRF-Token` (the front-end reads it from
 * the `klaxon_csrf` cookie or GET /api/session): a cross-site form cannot.
 */
@Injectable()
export class SessionResolver implements PrincipalResolver, OnModuleInit {
  readonly name = 'session';

  constructor(
    private readonly users: UserStore,
    private readonly resolvers: PrincipalResolvers,
  ) {}

  onModuleInit(): void {
    this.resolvers.register(this);
  }

  async resolve(request: AuthRequest): Promise<Principal | null> {
    const token = parseCookies(request.headers.cookie)[SESSION_COOKIE];
    if (!token || token.length > 200) return null;
    const session = await this.users.session(token);
    if (!session) return null; // expired or logged out: the guard answers 401
    if (!SAFE_METHODS.has((request.method ?? 'GET').toUpperCase())) {
      const header = request.headers[CSRF_HEADER];
      const presented = Array.isArray(header) ? header[0] : header;
      if (!presented || !sameToken(presented, session.csrfToken))
        throw httpError(
          HttpStatus.FORBIDDEN,
          'csrf-token',
          'This request needs the session’s CSRF token in the X-CSRF-Token header',
        );
    }
    return session.principal;
  }
}
