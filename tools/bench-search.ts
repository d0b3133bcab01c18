/**
 * The console's search over many complaints (part of `npm run bench:console`; alone:
 * `node -r @swc-node/register tools/bench-search.ts [--complaints 100000]`).
 *
 * A throwaway PostgreSQL gets `complaints` rows of mixed Dutch and English text (generated in SQL from
 * real complaint vocabulary), then GET /api/complaints?q=… is asked 50 times per kind of search over
 * real HTTP (intake module, API key): words, two words, a word with a filter and sort by risk, a KLX
 * reference, an e-mail prefix, a phone prefix. Prints p50/p95 per kind beside the target (p95 ≤ 200 ms).
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { IntakeModule } from '@klaxon/intake/feature';
import { referenceFor } from '@klaxon/intake/domain';
import { loadRuntimeConfig } from '@klaxon/platform/config';
import { connectInfrastructure, startApp } from '@klaxon/platform/runtime';
import { startPostgresCluster } from '@klaxon/testing';

const KEY = 'bench-search-read-key-0123456789abcdefghij';
const TARGET_P95_MS = 200;
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

const NL = `pakket bezorging bezorgd factuur betaling dubbel afgeschreven monteur afspraak niet gekomen klantenservice
  onbeschoft wachttijd telefoon terugbetaling kapot defect garantie levering vertraagd stroomstoring storing
  abonnement opgezegd incasso rekening te hoog medewerker beleefd lang wachten retour zending beschadigd
  waterkoker stofzuiger wasmachine koelkast internet verbinding wifi modem`;
const EN = `parcel delivery delivered invoice payment charged twice engineer appointment never came customer service
  rude waiting phone refund broken faulty warranty shipment delayed outage subscription cancelled direct debit bill
  too high staff polite long wait return damaged kettle vacuum washing machine fridge internet connection router`;

export async function benchSearch(n: number): Promise<void> {
  const pg = await startPostgresCluster();
  try {
    const databaseUrl = await pg.createDatabase('search');
    const config = loadRuntimeConfig({
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'silent',
      API_KEYS: `bench:${KEY}:read`,
    });
    const infrastructure = await connectInfrastructure({
      service: 'bench-search',
      config,
      embedded: { dataDir: undefined },
    });
    const app = await startApp({
      service: 'intake',
      infrastructure,
      features: [IntakeModule],
      http: { port: 0, host: '127.0.0.1' },
      apiKeys: config.apiKeys,
      relayOutbox: false,
    });
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const loadStarted = performance.now();
      // 12–31 random words per complaint, Dutch for even rows and English for odd ones.
      await db.query(
        `INSERT INTO complaints (id, channel, source_id, status, received_at, text, customer, language, priority, category, classified_at)
         SELECT 'cmp_' || substr(md5(i::text), 1, 20), 'web', 'bench-' || i, 'assigned',
                now() - (i || ' minutes')::interval,
                (SELECT string_agg(w[1 + floor(random() * array_length(w, 1))::int], ' ')
                   FROM generate_series(1, 12 + (i % 20)) g,
                        LATERAL (SELECT CASE WHEN i % 2 = 0 THEN $1::text[] ELSE $2::text[] END AS w) words
                  WHERE g > 0),
                jsonb_build_object('email', 'klant' || i || '@example.nl', 'phone', '+316' || lpad((i * 7919 % 100000000)::text, 8, '0')),
                CASE WHEN i % 2 = 0 THEN 'nl' ELSE 'en' END,
                (ARRAY['normal', 'normal', 'high', 'critical'])[1 + i % 4],
                (ARRAY['delivery', 'product', 'price-billing', 'communication', 'staff'])[1 + i % 5],
                now()
           FROM generate_series(1, $3::int) i`,
        [NL.split(/\s+/).filter(Boolean), EN.split(/\s+/).filter(Boolean), n],
      );
      await db.query('ANALYZE complaints');
      const loadSeconds = (performance.now() - loadStarted) / 1000;

      const ask = async (params: Record<string, string>) => {
        const t = performance.now();
        const res = await fetch(`${app.url}/api/complaints?${new URLSearchParams(params).toString()}`, {
          headers: { authorization: `Bearer ${KEY}` },
        });
        const body = (await res.json()) as { total: number };
        if (!res.ok) throw new Error(`search ${JSON.stringify(params)} answered ${res.status}`);
        return { ms: performance.now() - t, total: body.total };
      };
      const nl = NL.split(/\s+/).filter(Boolean);
      const en = EN.split(/\s+/).filter(Boolean);
      const pick = (xs: string[], i: number) => xs[(i * 7) % xs.length];
      const kinds: Array<[string, (i: number) => Record<string, string>]> = [
        ['one word (nl)', (i) => ({ q: pick(nl, i) })],
        ['two words (en)', (i) => ({ q: `${pick(en, i)} ${pick(en, i + 3)}` })],
        ['word + priority, by risk', (i) => ({ q: pick(nl, i), priority: 'high', sort: 'risk' })],
        [
          'KLX reference',
          (i) => ({ q: referenceFor(`cmp_${md5(String(1 + ((i * 997) % n))).slice(0, 20)}`) }),
        ],
        ['e-mail prefix', (i) => ({ q: `klant${1 + ((i * 131) % n)}@` })],
        [
          'phone prefix',
          (i) => ({
            q: `06${String(((i * 7919) % 100000000) + 1)
              .padStart(8, '0')
              .slice(0, 5)}`,
          }),
        ],
      ];
      await ask({ q: 'warm-up' });
      console.log(
        `console search: ${n.toLocaleString('en')} complaints in PostgreSQL (loaded in ${loadSeconds.toFixed(1)} s), 50 searches per kind over HTTP`,
      );
      console.log(
        `  ${'kind'.padEnd(26)} ${'p50'.padStart(8)} ${'p95'.padStart(8)}  target p95 ≤ ${TARGET_P95_MS} ms   matches (median)`,
      );
      for (const [name, params] of kinds) {
        const times: number[] = [];
        const totals: number[] = [];
        for (let i = 0; i < 50; i++) {
          const r = await ask(params(i));
          times.push(r.ms);
          totals.push(r.total);
        }
        const p95 = pct(times, 95);
        console.log(
          `  ${name.padEnd(26)} ${`${Math.round(pct(times, 50))} ms`.padStart(8)} ${`${Math.round(p95)} ms`.padStart(8)}  ${p95 <= TARGET_P95_MS ? 'met' : 'MISSED'}`.padEnd(
            70,
          ) + `${pct(totals, 50)}`,
        );
      }
    } finally {
      await db.end();
      await app.stop();
    }
  } finally {
    await pg.stop();
  }
}

if (require.main === module) {
  const { values } = parseArgs({ options: { complaints: { type: 'string', default: '100000' } } });
  benchSearch(Number(values.complaints)).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
