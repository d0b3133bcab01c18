import fc from 'fast-check';
import { jsonSchemaOf } from '@klaxon/platform/openapi';
import { ApiError, findUnsafeText, parseOrThrow } from '@klaxon/platform/runtime';
import { fromJsonSchema } from './support/arbitrary';
import { ADMIN_KEY, startSecurityApp, type SecurityApp } from './support/security-app';
import { fill, requestSchemas, routeTable, type Route } from './support/route-table';

// Issue #16, item 5: a fuzzer for every request schema (from the route table): SECURITY_FUZZ_RUNS
// inputs split over the schemas, and SECURITY_FUZZ_HTTP_RUNS requests against the running app: never
// a 500, never a crash, each within a second. `npm test` runs a few thousand; `npm run security`
// 100,000. The e-mail parser has its own (email-fuzz.spec.ts).
jest.setTimeout(3_600_000);

const RUNS = Number(process.env.SECURITY_FUZZ_RUNS ?? 3000);
const HTTP_RUNS = Number(process.env.SECURITY_FUZZ_HTTP_RUNS ?? Math.min(RUNS, 1500));
const SEED = process.env.SECURITY_FUZZ_SEED ? Number(process.env.SECURITY_FUZZ_SEED) : undefined;
/** Each input within a second; an HTTP round trip on shared CI cores gets SECURITY_FUZZ_HTTP_MAX_MS (`npm run security`: 1000). */
const MAX_MS = 1000;
const HTTP_MAX_MS = Number(process.env.SECURITY_FUZZ_HTTP_MAX_MS ?? 2500);
/** Routes slow on purpose (a password check with scrypt): not held to the second, still never a 500. */
const SLOW_BY_DESIGN = new Set(['POST /api/session', 'POST /api/users']);

let app: SecurityApp;
let routes: Route[];
let ids: Record<string, string>;

beforeAll(async () => {
  app = await startSecurityApp({ LOGIN_MAX_PER_IP: '2' });
  routes = routeTable(app);
  const c = await app.complaint('customer-service', 'm-service-2', `fuzz.${Date.now()}@example.nl`);
  ids = { id: c.id, linkId: 'lnk_fuzz_none', absenceId: 'abs_fuzz_none' };
});

afterAll(async () => {
  await app?.stop();
});

/** A generated value as a form or query field. */
const text = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));

const idsOf = (route: Route): Record<string, string> =>
  route.path.startsWith('/api/customers/')
    ? { ...ids, id: 'cus_fuzz_none' }
    : route.path.startsWith('/api/members/')
      ? { ...ids, id: 'm-service-3' }
      : route.path.startsWith('/api/teams/')
        ? { ...ids, id: 'product' }
        : ids;

it(`every request schema: ${RUNS} generated inputs give a value or a 400, each within a second`, () => {
  const schemas = routes.flatMap((route) =>
    requestSchemas(route).map((s) => ({ ...s, key: `${route.key} ${s.where}` })),
  );
  expect(schemas.length).toBeGreaterThan(20);
  const perSchema = Math.max(50, Math.ceil(RUNS / schemas.length));
  for (const { schema, where, key } of schemas) {
    const input = fromJsonSchema(jsonSchemaOf(schema, 'input'));
    fc.assert(
      fc.property(input, (value) => {
        const once = (): number => {
          const started = performance.now();
          try {
            findUnsafeText(value);
            parseOrThrow(schema, value, where);
          } catch (error) {
            if (!(error instanceof ApiError) || error.getStatus() !== 400)
              throw new Error(`${key}: ${(error as Error).message}`);
          }
          return performance.now() - started;
        };
        // Timed twice when slow: a busy machine's pause is no slow input.
        if (once() > MAX_MS) {
          const ms = once();
          if (ms > MAX_MS) throw new Error(`${key}: took ${Math.round(ms)} ms`);
        }
      }),
      { numRuns: perSchema, seed: SEED },
    );
  }
});

it(`every route with a body or query: ${HTTP_RUNS} generated requests, never a 500`, async () => {
  const targets = routes.filter((r) => requestSchemas(r).length);
  const perRoute = Math.max(10, Math.ceil(HTTP_RUNS / targets.length));
  for (const route of targets) {
    const path = fill(route, idsOf(route));
    const shapes = Object.fromEntries(
      requestSchemas(route).map(({ where, schema }) => [
        where,
        fromJsonSchema(jsonSchemaOf(schema, 'input')),
      ]),
    );
    const urlencoded = route.doc?.bodyContentType === 'application/x-www-form-urlencoded';
    await fc.assert(
      fc.asyncProperty(fc.record(shapes), async (input: { body?: unknown; query?: unknown }) => {
        const query =
          input.query && typeof input.query === 'object'
            ? `?${new URLSearchParams(Object.entries(input.query).map(([k, v]): [string, string] => [k, text(v)])).toString()}`
            : '';
        const body = urlencoded
          ? new URLSearchParams(
              Object.entries((input.body as object) ?? {}).map(([k, v]): [string, string] => [k, text(v)]),
            ).toString()
          : input.body;
        const started = performance.now();
        const res = await app.call(
          { key: ADMIN_KEY },
          route.method,
          `${path}${query}`,
          route.method === 'GET' || route.method === 'DELETE' ? undefined : body,
          urlencoded ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
        );
        const ms = performance.now() - started;
        if (res.status >= 500) throw new Error(`${route.key}: ${res.status} ${res.text.slice(0, 300)}`);
        if (ms > HTTP_MAX_MS && !SLOW_BY_DESIGN.has(route.key))
          throw new Error(`${route.key}: took ${Math.round(ms)} ms`);
      }),
      { numRuns: perRoute, seed: SEED },
    );
  }
});
