import {
  Inject,
  Injectable,
  SetMetadata,
  UseInterceptors,
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { from, mergeMap, type Observable } from 'rxjs';
import { DATA_SOURCE } from '@klaxon/platform/persistence';
import type { AuthRequest, Principal } from './principal';

export const COMPLAINT_PARAM_KEY = 'klaxon:complaint-param';
export const PERSONAL_DATA_KEY = 'klaxon:personal-data';

/**
 * The route acts on the complaint named by this path parameter: the guard lets a principal through
 * only when the complaint belongs to one of their teams (or they see every team); 403 otherwise.
 */
export const ComplaintAccess = (param = 'id'): MethodDecorator => SetMetadata(COMPLAINT_PARAM_KEY, param);

/**
 * The route answers with personal data: every answer is written to the access log (who, when,
 * which subjects). `kind` names the subject; the ids come from the answer (`id`, or `items[].id`).
 */
export const ReadsPersonalData = (kind: 'complaint' | 'customer' | 'signal'): MethodDecorator =>
  // The interceptor sits on these routes only: a global one costs every request (intake's POSTs
  // included) two AsyncResource bindings in Nest's interceptor chain for nothing.
  applyDecorators(SetMetadata(PERSONAL_DATA_KEY, kind), UseInterceptors(AccessLogInterceptor));

export interface AccessLogEntry {
  at: string;
  actor: string;
  actorKind: string;
  action: string;
  subjectKind: string;
  subjectId: string;
  detail: unknown;
}

const idsOf = (body: unknown): string[] => {
  if (!body || typeof body !== 'object') return [];
  const b = body as { id?: unknown; items?: unknown };
  if (Array.isArray(b.items))
    return b.items
      .map((i) => (i as { id?: unknown })?.id)
      .filter((id): id is string => typeof id === 'string');
  return typeof b.id === 'string' ? [b.id] : [];
};

/** The access log (table access_log): one row per subject per read. */
@Injectable()
export class AccessLog {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  async record(
    principal: Principal | undefined,
    action: string,
    subjectKind: string,
    subjectIds: string[],
    detail?: unknown,
  ): Promise<void> {
    if (!subjectIds.length) return;
    await this.dataSource.query(
      `INSERT INTO access_log (actor, actor_kind, action, subject_kind, subject_id, detail) SELECT $1, $2, $3, $4, unnest($5::text[]), $6`,
      [
        principal?.id ?? 'anonymous',
        principal?.kind ?? 'anonymous',
        action,
        subjectKind,
        subjectIds,
        detail === undefined ? null : JSON.stringify(detail),
      ],
    );
  }

  async list(q: { subjectId?: string; actor?: string; limit: number }): Promise<AccessLogEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.subjectId) where.push(`subject_id = $${params.push(q.subjectId)}`);
    if (q.actor) where.push(`actor = $${params.push(q.actor)}`);
    const rows = (await this.dataSource.query(
      `SELECT * FROM access_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT $${params.push(q.limit)}`,
      params,
    )) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      at: new Date(String(r.at)).toISOString(),
      actor: String(r.actor),
      actorKind: String(r.actor_kind),
      action: String(r.action),
      subjectKind: String(r.subject_kind),
      subjectId: String(r.subject_id),
      detail: typeof r.detail === 'string' ? JSON.parse(r.detail) : (r.detail ?? null),
    }));
  }
}

/** Writes the access log for @ReadsPersonalData routes before the answer leaves (a failed log write fails the read). */
@Injectable()
export class AccessLogInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly log: AccessLog,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const kind =
      context.getType() === 'http'
        ? this.reflector.get<string | undefined>(PERSONAL_DATA_KEY, context.getHandler())
        : undefined;
    if (!kind) return next.handle();
    const request = context
      .switchToHttp()
      .getRequest<AuthRequest & { url?: string; routeOptions?: { url?: string } }>();
    return next
      .handle()
      .pipe(
        mergeMap((body) =>
          from(
            this.log
              .record(
                request.principal,
                `${request.method ?? 'GET'} ${request.routeOptions?.url ?? ''}`.trim(),
                kind,
                idsOf(body),
                { url: request.url },
              )
              .then(() => body),
          ),
        ),
      );
  }
}
