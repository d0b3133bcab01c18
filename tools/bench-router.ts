/**
 * npm run bench:router [-- --complaints 20000 --routers 2 --steady-seconds 10]
 *
 * The router alone, on the Kafka mock cluster (3 brokers) and a throwaway PostgreSQL, with an
 * organisation of 50 teams and 2,000 members (40 per team, skills and hours varied, every team with
 * members on shift), each team serving a unit of its own (decentral handling: 50 rules, matched by unit;
 * the categories are the taxonomy's five). Prints, side by side:
 *  - saturation: N ComplaintClassified events produced as fast as Kafka takes them; assignments per
 *    second and the classified → assigned latency (p50/p99), which here includes waiting in Kafka;
 *  - steady load: events produced at half the measured rate for a while; the latency a complaint
 *    sees when the router keeps up.
 * Complaints carry customer identities (e-mail, some phones) so customer linking and repeat counting
 * are part of the work, as in production.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import {
  COMPLAINT_CATEGORIES,
  ComplaintAssignedEvent,
  ComplaintClassifiedEvent,
  complaintIdFor,
  encodeEvent,
  type ComplaintClassified,
  type Priority,
} from '@klaxon/contracts';
import { loadRuntimeConfig } from '@klaxon/platform/config';
import { connectInfrastructure, startApp, type RunningApp } from '@klaxon/platform/runtime';
import { alwaysOn, weekly, type OrganisationConfig, type TeamMember } from '@klaxon/routing/domain';
import { RoutingModule } from '@klaxon/routing/feature';
import { startKafkaMockCluster, startPostgresCluster } from '@klaxon/testing';

const { values: args } = parseArgs({
  options: {
    complaints: { type: 'string', default: '20000' },
    routers: { type: 'string', default: '2' },
    'steady-seconds': { type: 'string', default: '10' },
    teams: { type: 'string', default: '50' },
    members: { type: 'string', default: '2000' },
  },
});
const N = Number(args.complaints);
const ROUTERS = Number(args.routers);
const STEADY_SECONDS = Number(args['steady-seconds']);
const TEAMS = Number(args.teams);
const MEMBERS = Number(args.members);

function organisation(): OrganisationConfig {
  const teams = Array.from({ length: TEAMS }, (_, t) => ({
    id: `team-${t}`,
    name: `Team ${t}`,
    leadId: `m-${t}-0`,
  }));
  const perTeam = Math.ceil(MEMBERS / TEAMS);
  const members: TeamMember[] = [];
  for (let t = 0; t < TEAMS; t += 1) {
    for (let i = 0; i < perTeam && members.length < MEMBERS; i += 1) {
      members.push({
        id: `m-${t}-${i}`,
        teamId: `team-${t}`,
        name: `Member ${t}.${i}`,
        email: `m-${t}-${i}@bench.local`,
        role: i === 0 ? 'team-lead' : i === 1 ? 'senior' : 'handler',
        skills: {
          languages: i % 3 === 0 ? ['nl'] : ['nl', 'en'],
          categories: [],
          channels: i % 4 === 0 ? ['social'] : [],
        },
        authority: { maxCompensation: i === 1 ? 1000 : 50 },
        capacity: 10_000,
        openCount: 0,
        lastAssignedAt: null,
        active: true,
        // Half on the round-the-clock rota, half on office hours: the availability check runs for everyone.
        workingHours: i % 2 === 0 ? alwaysOn() : weekly(['mon', 'tue', 'wed', 'thu', 'fri'], '09:00-17:00'),
        absences: [],
      });
    }
  }
  const rules = teams.map((t, i) => ({ id: `unit-${i}`, match: { units: [`unit-${i}`] }, teamId: t.id }));
  return { teams, members, rules, defaultTeamId: 'team-0' };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

const PRIORITIES: Priority[] = ['normal', 'normal', 'normal', 'high', 'critical'];

async function main(): Promise<void> {
  const [kafka, pg] = await Promise.all([startKafkaMockCluster({ brokers: 3 }), startPostgresCluster()]);
  const routers: RunningApp[] = [];
  const producer = new Kafka({
    clientId: 'bench-router',
    brokers: kafka.brokers,
    logLevel: logLevel.NOTHING,
  }).producer();
  let db: Pool | undefined;
  let stopObserver: () => Promise<void> = async () => undefined;
  try {
    const url = await pg.createDatabase('klaxon_bench_router');
    db = new Pool({ connectionString: url, max: 4 });
    db.on('error', () => undefined); // the server goes away at the end
    const org = organisation();
    for (let r = 0; r < ROUTERS; r += 1) {
      const config = loadRuntimeConfig({
        DATABASE_URL: url,
        DATABASE_POOL_MAX: '8',
        KAFKA_BROKERS: kafka.brokers.join(','),
        KAFKA_IDEMPOTENT_PRODUCER: 'false',
        KAFKA_SESSION_TIMEOUT_MS: '6000',
        KAFKA_HEARTBEAT_INTERVAL_MS: '500',
        KAFKA_REBALANCE_TIMEOUT_MS: '6000',
        KAFKA_MAX_WAIT_MS: '50',
        LOG_LEVEL: 'error',
      });
      const infrastructure = await connectInfrastructure({ service: `router-${r}`, config });
      routers.push(
        await startApp({
          service: `router-${r}`,
          infrastructure,
          features: [RoutingModule.forRoot({ organisation: org, queueScanIntervalMs: 1000 })],
          http: { port: 0, host: '127.0.0.1' },
        }),
      );
    }
    await producer.connect();

    let seq = 0;
    const sentAt = new Map<string, number>();
    /** Stores the complaints as intake and the classifier would, then produces their ComplaintClassified events. */
    const send = async (count: number) => {
      const events: ComplaintClassified[] = [];
      const now = new Date().toISOString();
      for (let k = 0; k < count; k += 1) {
        const i = seq++;
        const phone = i % 7 === 0 ? { phone: `06${String(10_000_000 + (i % 3000)).slice(0, 8)}` } : {};
        events.push({
          complaintId: complaintIdFor('web', `bench-router-${i}`),
          channel: i % 10 === 0 ? 'social' : 'web',
          receivedAt: now,
          classifiedAt: now,
          language: i % 5 === 0 ? 'en' : 'nl',
          complaint: 'explicit',
          complaintProbability: 0.9,
          category: COMPLAINT_CATEGORIES[Math.floor(i / 5) % COMPLAINT_CATEGORIES.length],
          categoryProbability: 0.9,
          priority: PRIORITIES[i % PRIORITIES.length],
          priorityReasons: [],
          sentiment: -0.3,
          why: [],
          reputationalRisk: i % 500 === 0,
          modelVersion: 'bench',
          customer: { email: `bench-${i % 20_000}@example.nl`, ...phone },
          unit: `unit-${i % TEAMS}`,
        });
      }
      await db!.query(
        `INSERT INTO complaints (id, channel, source_id, status, received_at, text, customer, language, complaint_label, category, priority, classified_at, correlation_id)
         SELECT id, channel, id, 'classified', received_at, 'bench', customer, language, 'explicit', category, priority, received_at, id
           FROM jsonb_to_recordset($1::jsonb) AS r(id text, channel text, received_at timestamptz, customer jsonb, language text, category text, priority text)`,
        [
          JSON.stringify(
            events.map((e) => ({
              id: e.complaintId,
              channel: e.channel,
              received_at: e.receivedAt,
              customer: e.customer,
              language: e.language,
              category: e.category,
              priority: e.priority,
            })),
          ),
        ],
      );
      const t = performance.now();
      const encoded = events.map((e) =>
        encodeEvent(ComplaintClassifiedEvent, e, { eventId: `${e.complaintId}:classified` }),
      );
      for (const e of events) sentAt.set(e.complaintId, t);
      await producer.send({
        topic: ComplaintClassifiedEvent.topic,
        messages: encoded.map((e) => ({ key: e.key, value: e.value, headers: e.headers })),
      });
      return events.map((e) => e.complaintId);
    };

    // Completion is observed where downstream stages see it: ComplaintAssigned on Kafka (no polling load on
    // the database); the latency is the event's assignedAt (router clock) minus the moment of producing.
    const assignedAt = new Map<string, number>();
    const origin = Date.now() - performance.now();
    const observer = new Kafka({
      clientId: 'bench-router-observer',
      brokers: kafka.brokers,
      logLevel: logLevel.NOTHING,
    }).consumer({
      groupId: 'bench-router-observer',
      sessionTimeout: 6000,
      heartbeatInterval: 500,
      rebalanceTimeout: 6000,
      maxWaitTimeInMs: 50,
    });
    await observer.connect();
    await observer.subscribe({ topics: [ComplaintAssignedEvent.topic], fromBeginning: true });
    await observer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const envelope = JSON.parse(m.value!.toString()) as {
            data: { complaintId: string; assignedAt: string };
          };
          if (!assignedAt.has(envelope.data.complaintId))
            assignedAt.set(envelope.data.complaintId, Date.parse(envelope.data.assignedAt) - origin);
        }
      },
    });
    stopObserver = () => observer.disconnect();

    /** Waits until every id was assigned; returns each one's latency from its send to its assignment (ms), sorted. */
    const collect = async (ids: string[]) => {
      while (!ids.every((id) => assignedAt.has(id))) await new Promise((r) => setTimeout(r, 50));
      return ids.map((id) => assignedAt.get(id)! - sentAt.get(id)!).sort((a, b) => a - b);
    };

    // Warm-up: consumer groups join and settle, JIT warms.
    await collect(await send(200));

    // Saturation.
    const started = performance.now();
    const ids: string[] = [];
    for (let sent = 0; sent < N; sent += 1000) ids.push(...(await send(Math.min(1000, N - sent))));
    const latencies = await collect(ids);
    const seconds = (performance.now() - started) / 1000;
    const rate = N / seconds;

    // Steady load at half the saturation rate.
    const steadyRate = Math.max(10, Math.round(rate / 2));
    const steadyIds: string[] = [];
    const steadyStart = performance.now();
    const tickMs = 100;
    while (performance.now() - steadyStart < STEADY_SECONDS * 1000) {
      const tick = performance.now();
      steadyIds.push(...(await send(Math.max(1, Math.round((steadyRate * tickMs) / 1000)))));
      await new Promise((r) => setTimeout(r, Math.max(0, tickMs - (performance.now() - tick))));
    }
    const steady = await collect(steadyIds);

    const { rows: check } = await db.query(
      `SELECT count(*)::int AS complaints, count(DISTINCT customer_id)::int AS customers,
              (SELECT count(*)::int FROM complaint_history WHERE kind = 'assigned') AS assignments,
              (SELECT count(*)::int FROM complaint_history WHERE kind = 'escalated') AS escalations
         FROM complaints`,
    );
    console.log(
      `\nrouter: ${TEAMS} teams, ${org.members.length} members, ${ROUTERS} router instance(s), 3-broker Kafka mock cluster, PostgreSQL ${url.split('@')[1]}`,
    );
    console.table({
      [`saturation (${N} classified events at once)`]: {
        'assignments/s': Math.round(rate),
        seconds: seconds.toFixed(1),
        'p50 ms': Math.round(percentile(latencies, 50)),
        'p99 ms': Math.round(percentile(latencies, 99)),
        'max ms': Math.round(latencies[latencies.length - 1]),
      },
      [`steady load (${steadyRate}/s for ${STEADY_SECONDS} s)`]: {
        'assignments/s': Math.round(steadyIds.length / STEADY_SECONDS),
        seconds: STEADY_SECONDS.toFixed(1),
        'p50 ms': Math.round(percentile(steady, 50)),
        'p99 ms': Math.round(percentile(steady, 99)),
        'max ms': Math.round(steady[steady.length - 1]),
      },
    });
    console.log(
      `check: ${check[0].complaints} complaints, ${check[0].assignments} assignments (exactly one each), ${check[0].customers} linked customers, ${check[0].escalations} escalations`,
    );
    if (check[0].assignments !== check[0].complaints)
      throw new Error('assignments do not match complaints: exactly-one-owner broken');
  } finally {
    await producer.disconnect().catch(() => undefined);
    await stopObserver().catch(() => undefined);
    for (const r of routers) await r.stop().catch((err: unknown) => console.error('router stop failed', err));
    await db?.end();
    await Promise.all([kafka.stop(), pg.stop()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
