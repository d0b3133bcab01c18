/**
 * npm run bench:intake [-- --requests 3000 --concurrency 32]
 *
 * The intake module alone (in-process, real HTTP, a throwaway PostgreSQL, in-process bus), and
 * prints side by side requests per second and p50/p99 latency for: the HTTP floor (a public probe),
 * complaints posted to the JSON API with an API key, phone notes, public form posts, authenticated
 * reads, and requests refused for an unknown key (each one a database look-up: the cost of a
 * key-guessing client).
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { IntakeModule } from '@klaxon/intake/feature';
import { loadRuntimeConfig } from '@klaxon/platform/config';
import { connectInfrastructure, startApp } from '@klaxon/platform/runtime';
import { startPostgresCluster } from '@klaxon/testing';

const { values: args } = parseArgs({
  options: { requests: { type: 'string', default: '3000' }, concurrency: { type: 'string', default: '32' } },
});
const N = Number(args.requests);
const CONCURRENCY = Number(args.concurrency);
const KEY = 'bench-intake-7d3e91c2a5b8-0123456789abcdef';

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function measure(
  request: (i: number) => Promise<Response>,
  expected: number,
): Promise<Record<string, number>> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < N) {
        const i = next++;
        const t = performance.now();
        const res = await request(i);
        await res.arrayBuffer();
        if (res.status !== expected)
          throw new Error(`request ${i} answered ${res.status}, expected ${expected}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    'requests/s': Math.round(N / seconds),
    'p50 ms': Number(percentile(latencies, 50).toFixed(1)),
    'p99 ms': Number(percentile(latencies, 99).toFixed(1)),
  };
}

async function main(): Promise<void> {
  const pg = await startPostgresCluster();
  try {
    const config = loadRuntimeConfig({
      DATABASE_URL: await pg.createDatabase('bench_intake'),
      LOG_LEVEL: 'error',
      API_KEYS: `bench:${KEY}:submit+read`,
    });
    const infrastructure = await connectInfrastructure({
      service: 'intake',
      config,
      embedded: { dataDir: undefined },
    });
    const app = await startApp({
      service: 'intake',
      infrastructure,
      features: [IntakeModule.forRoot({ formRateLimit: { limit: 1_000_000, windowMs: 60_000 } })],
      http: { port: 0, host: '127.0.0.1' },
      apiKeys: config.apiKeys,
    });
    const json = { 'content-type': 'application/json', authorization: `Bearer ${KEY}` };
    const ids: string[] = [];
    const results: Record<string, Record<string, number>> = {};
    // Warm-up: JIT, connection pool, the key cache.
    for (let i = 0; i < 200; i++)
      await (await fetch(`${app.url}/api/complaints?pageSize=1`, { headers: json })).arrayBuffer();
    results['GET /health/live (public, the HTTP floor)'] = await measure(
      () => fetch(`${app.url}/health/live`),
      200,
    );
    results['POST /api/complaints (API key)'] = await measure(async (i) => {
      const res = await fetch(`${app.url}/api/complaints`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({
          channel: 'web',
          text: `Mijn pakket is niet bezorgd (#${i})`,
          customer: { email: `k${i % 500}@example.nl` },
        }),
      });
      if (i % 10 === 0) ids.push(((await res.clone().json()) as { id: string }).id);
      return res;
    }, 202);
    results['POST /api/phone-notes (API key)'] = await measure(
      (i) =>
        fetch(`${app.url}/api/phone-notes`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({
            agentId: 'agent-1',
            callAt: '2026-11-24T10:15:00+01:00',
            callerPhone: `06 ${String(10_000_000 + i).slice(0, 8)}`,
            summary: `Monteur niet gekomen (#${i})`,
          }),
        }),
      202,
    );
    results['POST /complaint-form (public form)'] = await measure(
      (i) =>
        fetch(`${app.url}/complaint-form`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            name: 'Els',
            contact: `els${i}@example.nl`,
            text: `Terugbetaling duurt lang (#${i})`,
            consent: 'yes',
          }).toString(),
        }),
      200,
    );
    results['GET /api/complaints/:id (API key)'] = await measure(
      (i) => fetch(`${app.url}/api/complaints/${ids[i % ids.length]}`, { headers: json }),
      200,
    );
    results['GET /api/complaints/:id (unknown key → 401)'] = await measure(
      (i) =>
        fetch(`${app.url}/api/complaints/${ids[0]}`, {
          headers: { authorization: `Bearer guess-${i}-0000000000` },
        }),
      401,
    );
    await app.stop();
    console.log(
      `\nintake: ${N} requests per row, ${CONCURRENCY} concurrent clients, PostgreSQL (throwaway cluster), in-process bus`,
    );
    console.table(results);
  } finally {
    await pg.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
