import { z } from 'zod';
import { ROLE_SCOPES, type Scope } from '@klaxon/platform/auth';
import { RouteCatalogue, type DocumentedRoute } from '@klaxon/platform/openapi';
import { PEOPLE, type Person, type SecurityApp } from './security-app';

export type Route = DocumentedRoute & { key: string };

/** Every HTTP route of the running app, from Nest's own metadata: a new route is covered without a word here. */
export function routeTable(app: SecurityApp): Route[] {
  return app.running.app
    .get(RouteCatalogue)
    .all()
    .map((r) => ({ ...r, key: `${r.method} ${r.path}` }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

/** The scopes a person's role gives. */
export const scopesOf = (person: Person): Scope[] => ROLE_SCOPES[PEOPLE[person].role];

/** Whether a holder of `held` passes the route's @RequireScope (one of its scopes; none listed = any). */
export function passes(route: Route, held: readonly string[]): boolean {
  if (!route.scopes) return true;
  return !route.scopes.length || route.scopes.some((s) => held.includes(s));
}

/** `/api/x/:id` with the named parameters filled in; throws naming a parameter nobody gave an id for. */
export function fill(route: Route, ids: Record<string, string>): string {
  return route.path.replace(/:([A-Za-z0-9_]+)|\*/g, (whole, name: string | undefined) => {
    if (!name) return 'index.html';
    const id = ids[name];
    if (id === undefined)
      throw new Error(`${route.key} takes :${name}: give the security suite an id for it (fixtures)`);
    return encodeURIComponent(id);
  });
}

/** The zod object schemas a route takes (body and query), for the strictness check and the fuzzer. */
export function requestSchemas(route: Route): Array<{ where: 'body' | 'query'; schema: z.ZodType }> {
  return [
    ...(route.doc?.body ? [{ where: 'body' as const, schema: route.doc.body }] : []),
    ...(route.doc?.query ? [{ where: 'query' as const, schema: route.doc.query }] : []),
  ];
}

/**
 * The places in a schema that accept unknown keys (mass assignment: a client sets what it should not,
 * like an owner or a team). Empty when every object in it is strict.
 */
export function looseObjects(schema: z.ZodType, path = ''): string[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  const at = path || '(root)';
  switch (def.type) {
    case 'object': {
      const catchall = def.catchall as { _zod: { def: { type: string } } } | undefined;
      const own = catchall?._zod.def.type === 'never' ? [] : [at];
      const shape = def.shape as Record<string, z.ZodType>;
      return [
        ...own,
        ...Object.entries(shape).flatMap(([k, s]) => looseObjects(s, path ? `${path}.${k}` : k)),
      ];
    }
    case 'union':
      return (def.options as z.ZodType[]).flatMap((o) => looseObjects(o, path));
    case 'array':
      return looseObjects(def.element as z.ZodType, `${path}[]`);
    case 'pipe':
      return looseObjects(def.in as z.ZodType, path);
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return looseObjects(def.innerType as z.ZodType, path);
    case 'lazy':
      return [];
    default:
      return [];
  }
}
