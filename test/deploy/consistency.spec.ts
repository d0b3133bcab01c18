import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { allTopics } from '@klaxon/contracts';
import { RUNTIME_REQUIRED, consumedBy, defaultPort, deployableApps, knownEnv } from './support/apps';
import { OVERLAYS, ROOT, named, ofKind, renderOverlay } from './support/kubectl';

// deploy/ agrees with the code: apps, topics, settings, ports, consumer groups, scaling limits.

const DAY_MS = 86_400_000;
const apps = deployableApps();
/** Apps that take traffic from outside the cluster (everything else is reached by nobody). */
const PUBLIC_APPS = new Set(['intake', 'console']);
/** Ingesters hold one mailbox / account each: a single active replica (deploy/README.md "Scaling"). */
const SINGLE_ACTIVE = new Set(['email-ingest', 'social-ingest']);
/** Secrets the manifests reference by name; deploy/README.md says who creates each. */
const SECRETS = [
  'klaxon-db-app',
  'klaxon-api-keys',
  'klaxon-email-ingest',
  'klaxon-social-ingest',
  'klaxon-sla',
];

it('the KafkaTopics file is generated from the current contracts (npm run deploy:generate)', () => {
  const check = spawnSync(
    process.execPath,
    ['-r', '@swc-node/register', 'tools/deploy-generate.ts', '--check'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  expect([check.status, check.stderr.trim()]).toEqual([0, '']);
  expect(check.stdout).toContain('deploy/k8s/components/kafka/topics.yaml is up to date');
});

it('every app has a production build with a pruned package.json (and intake ships the migration entry)', () => {
  for (const app of apps) {
    const project = JSON.parse(readFileSync(path.join(ROOT, 'apps', app, 'project.json'), 'utf8'));
    // `build`, or `build-server` where `build` makes a front-end (console).
    const build = Object.values(project.targets ?? {}).find(
      (t) => (t as { executor?: string }).executor === '@nx/esbuild:esbuild',
    ) as { options: Record<string, unknown> } | undefined;
    const o = build?.options ?? {};
    expect([
      app,
      o.main,
      o.bundle,
      o.thirdParty,
      o.generatePackageJson,
      o.esbuildConfig,
      o.sourcemap,
    ]).toEqual([app, `apps/${app}/src/main.ts`, true, false, true, 'deploy/build/esbuild.config.js', false]);
  }
  const intake = JSON.parse(readFileSync(path.join(ROOT, 'apps/intake/project.json'), 'utf8'));
  expect(intake.targets.build.options.additionalEntryPoints).toContain('apps/intake/src/migrate.ts');
});

it('the health endpoints the probes use are the ones the runtime serves', () => {
  const health = readFileSync(path.join(ROOT, 'libs/platform/runtime/src/health.controller.ts'), 'utf8');
  for (const route of ['health/live', 'health/ready', 'metrics'])
    expect(health).toContain(`@Get('${route}')`);
});

describe.each([...OVERLAYS])('overlay %s', (overlay) => {
  const objects = renderOverlay(overlay);
  const deployments = ofKind(objects, 'Deployment');
  const configMaps = new Map(ofKind(objects, 'ConfigMap').map((c) => [c.metadata.name, c.data ?? {}]));
  const common = [...configMaps].find(([n]) => n.startsWith('klaxon-common'))![1];
  const partitions = new Map(allTopics().map((t) => [t.name, t.partitions]));

  it('declares every contract topic as a KafkaTopic with its partitions and retention, and no other', () => {
    const topics = ofKind(objects, 'KafkaTopic');
    expect(topics.map((t) => t.spec.topicName).sort()).toEqual(
      allTopics()
        .map((t) => t.name)
        .sort(),
    );
    for (const t of allTopics()) {
      const k = topics.find((x) => x.spec.topicName === t.name)!;
      expect([t.name, k.spec.partitions, Number(k.spec.config['retention.ms'])]).toEqual([
        t.name,
        t.partitions,
        t.retentionDays * DAY_MS,
      ]);
      expect(k.spec.replicas).toBeGreaterThanOrEqual(Number(k.spec.config['min.insync.replicas']));
    }
  });

  it('has one Deployment and Service per app in apps/ (but the all-in-one klaxon)', () => {
    const missing = apps.filter((a) => !deployments.some((d) => d.metadata.name === a));
    expect(
      missing.map((a) => `apps/${a} has no Deployment: add deploy/k8s/base/${a}/ (see deploy/README.md)`),
    ).toEqual([]);
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(apps);
    for (const app of apps) expect(named(objects, 'Service', app).spec.ports[0].targetPort).toBe('http');
  });

  describe.each(apps)('%s', (app) => {
    const deployment = deployments.find((d) => d.metadata.name === app)!;
    const pod = deployment?.spec.template;
    const container = pod?.spec.containers.find((c: { name: string }) => c.name === app);
    const env = envOf(container, configMaps);

    it('runs the app image, with the migrations left to the Job', () => {
      expect(container.image).toMatch(new RegExp(`(^|/)klaxon/${app}(:|$)|(^|/)${app}:`));
      expect(env.get('DATABASE_MIGRATE')).toBe('false');
      const init = pod.spec.initContainers?.find((c: { name: string }) => c.name === 'wait-for-schema');
      expect(init?.command).toEqual(['node', 'migrate.cjs', '--wait']);
      expect(init?.image).toMatch(/(^|\/)(klaxon\/)?intake(:|$)/);
    });

    // That it sets everything the app requires is proved by starting the app with it (deployment-env.spec.ts).
    it('sets Kafka and PostgreSQL, and no variable the app does not read', () => {
      const missing = RUNTIME_REQUIRED.filter((v) => !env.has(v));
      expect(missing.map((v) => `${app} requires ${v}`)).toEqual([]);
      const known = knownEnv(app);
      expect([...env.keys()].filter((v) => !known.has(v)).map((v) => `${app} does not read ${v}`)).toEqual(
        [],
      );
      for (const e of container.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef?.name;
        if (ref) expect(SECRETS).toContain(ref);
      }
    });

    it('serves and probes the port and paths the app uses', () => {
      const port = env.has('PORT') ? Number(env.get('PORT')) : defaultPort(app);
      expect(container.ports).toEqual([{ name: 'http', containerPort: port, protocol: 'TCP' }]);
      expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(container.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    });

    it('has time to drain before it is killed', () => {
      const shutdownMs = Number(env.get('SHUTDOWN_TIMEOUT_MS') ?? 20_000);
      const preStopS = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
      expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThan(shutdownMs / 1000 + preStopS);
    });

    it('runs restricted, sized, spread and disruption-budgeted', () => {
      expect(pod.spec.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.spec.automountServiceAccountToken).toBe(false);
      for (const c of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
        expect([c.name, c.securityContext]).toMatchObject([
          c.name,
          {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ['ALL'] },
          },
        ]);
        expect([
          c.name,
          Object.keys(c.resources?.requests ?? {}).sort(),
          Object.keys(c.resources?.limits ?? {}).sort(),
        ]).toEqual([c.name, ['cpu', 'memory'], ['cpu', 'memory']]);
      }
      const tmp = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/tmp');
      expect(pod.spec.volumes.find((v: { name: string }) => v.name === tmp?.name)?.emptyDir).toBeDefined();
      const labels = pod.metadata.labels as Record<string, string>;
      expect(pod.spec.topologySpreadConstraints.length).toBeGreaterThan(0);
      for (const t of pod.spec.topologySpreadConstraints) expect(selects(t.labelSelector, labels)).toBe(true);
      expect(
        ofKind(objects, 'PodDisruptionBudget').filter((p) => selects(p.spec.selector, labels)),
      ).toHaveLength(1);
      expect(selects(deployment.spec.selector, labels)).toBe(true);
    });

    it('scales the way its work arrives', () => {
      const consumed = consumedBy(app);
      const scaled = ofKind(objects, 'ScaledObject').filter((s) => s.spec.scaleTargetRef.name === app);
      const hpas = ofKind(objects, 'HorizontalPodAutoscaler').filter(
        (h) => h.spec.scaleTargetRef.name === app,
      );
      if (SINGLE_ACTIVE.has(app)) {
        // An ingester reads one mailbox / account: exactly one pod, and never two during a rollout.
        expect([scaled.length, hpas.length, deployment.spec.replicas, deployment.spec.strategy.type]).toEqual(
          [0, 0, 1, 'Recreate'],
        );
      } else if (consumed.length) {
        // A consumer scales on its lag: one Kafka trigger per consumer group, never more replicas than partitions.
        expect(scaled).toHaveLength(1);
        expect(hpas).toHaveLength(0);
        const triggers = scaled[0].spec.triggers.map(
          (t: { type: string; metadata: Record<string, string> }) => ({
            type: t.type,
            group: t.metadata.consumerGroup,
            topic: t.metadata.topic,
          }),
        );
        expect(triggers).toEqual(
          expect.arrayContaining(consumed.map((c) => ({ type: 'kafka', group: c.group, topic: c.topic }))),
        );
        expect(triggers).toHaveLength(consumed.length);
        for (const t of scaled[0].spec.triggers) {
          expect(t.metadata.bootstrapServers).toBe(common.KAFKA_BROKERS);
          expect(Number(t.metadata.lagThreshold)).toBeGreaterThan(0);
        }
        const maxPartitions = Math.min(...consumed.map((c) => partitions.get(c.topic)!));
        expect(scaled[0].spec.maxReplicaCount).toBeLessThanOrEqual(maxPartitions);
        expect(scaled[0].spec.minReplicaCount).toBeGreaterThanOrEqual(1);
      } else if (PUBLIC_APPS.has(app)) {
        expect(scaled).toHaveLength(0);
        expect(hpas).toHaveLength(1);
        expect(hpas[0].spec.metrics).toEqual([
          {
            type: 'Resource',
            resource: { name: 'cpu', target: expect.objectContaining({ type: 'Utilization' }) },
          },
        ]);
        expect(hpas[0].spec.minReplicas).toBeGreaterThanOrEqual(1);
      } else {
        throw new Error(
          `${app} neither consumes events, nor is public, nor is an ingester: decide how it scales in deploy/k8s`,
        );
      }
    });

    it('is reachable from outside only if it is a public app, and always reaches Kafka and PostgreSQL', () => {
      const labels = pod.metadata.labels as Record<string, string>;
      const policies = ofKind(objects, 'NetworkPolicy').filter((p) => selects(p.spec.podSelector, labels));
      const open = policies.some((p) =>
        (p.spec.ingress ?? []).some((r: { from?: unknown[] }) => !r.from || r.from.length === 0),
      );
      expect([app, open]).toEqual([app, PUBLIC_APPS.has(app)]);
      const denyAll = policies.find(
        (p) => p.spec.policyTypes.includes('Egress') && !p.spec.egress && !p.spec.ingress,
      );
      expect(denyAll).toBeDefined();
      const egressTo = policies
        .flatMap((p) => p.spec.egress ?? [])
        .flatMap((r: { to?: Array<{ podSelector?: { matchLabels?: object } }> }) => r.to ?? []);
      expect(egressTo).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            podSelector: { matchLabels: expect.objectContaining({ 'strimzi.io/cluster': 'klaxon-kafka' }) },
          }),
          expect.objectContaining({ podSelector: { matchLabels: { 'cnpg.io/cluster': 'klaxon-db' } } }),
        ]),
      );
    });
  });

  it('points every app at the Kafka and PostgreSQL the overlay runs', () => {
    const kafka = ofKind(objects, 'Kafka')[0];
    const listener = kafka.spec.kafka.listeners.find((l: { tls: boolean }) => !l.tls);
    expect(common.KAFKA_BROKERS).toBe(`${kafka.metadata.name}-kafka-bootstrap:${listener.port}`);
    // CloudNativePG names the application Secret <cluster>-app, with the connection URI under `uri`.
    const db = ofKind(objects, 'Cluster')[0];
    for (const d of [...deployments, ...ofKind(objects, 'Job')]) {
      for (const c of [...d.spec.template.spec.containers, ...(d.spec.template.spec.initContainers ?? [])]) {
        const url = (c.env ?? []).find((e: { name: string }) => e.name === 'DATABASE_URL');
        expect([d.metadata.name, c.name, url?.valueFrom?.secretKeyRef]).toEqual([
          d.metadata.name,
          c.name,
          { name: `${db.metadata.name}-app`, key: 'uri' },
        ]);
      }
    }
  });

  it('never opens more PostgreSQL connections than the database allows, even mid-rollout', () => {
    const poolMax = Number(common.DATABASE_POOL_MAX ?? 10);
    const maxPods = deployments.map((d) => {
      const name = d.metadata.name;
      const keda = ofKind(objects, 'ScaledObject').find((x) => x.spec.scaleTargetRef.name === name);
      const hpa = ofKind(objects, 'HorizontalPodAutoscaler').find((x) => x.spec.scaleTargetRef.name === name);
      const max = keda?.spec.maxReplicaCount ?? hpa?.spec.maxReplicas ?? d.spec.replicas ?? 1;
      const surge =
        d.spec.strategy?.type === 'Recreate' ? 0 : Number(d.spec.strategy?.rollingUpdate?.maxSurge ?? 1);
      return max + surge;
    });
    const connections = maxPods.reduce((a, b) => a + b, 0) * poolMax + 2; // + the migration Job's pool
    const params = ofKind(objects, 'Cluster')[0].spec.postgresql?.parameters ?? {};
    const allowed =
      Number(params.max_connections ?? 100) - Number(params.superuser_reserved_connections ?? 3);
    expect(connections).toBeLessThanOrEqual(allowed);
  });

  it('runs the migrations in a Job, once per release', () => {
    const jobs = ofKind(objects, 'Job');
    expect(jobs).toHaveLength(1);
    expect(jobs[0].spec.template.spec.containers[0].command).toEqual(['node', 'migrate.cjs']);
  });

  it('scrapes every app and alerts on lag', () => {
    const monitor = ofKind(objects, 'ServiceMonitor')[0];
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    for (const app of apps)
      expect(selects(monitor.spec.selector, named(objects, 'Service', app).metadata.labels ?? {})).toBe(true);
    const rules = ofKind(objects, 'PrometheusRule').flatMap((r) =>
      r.spec.groups.flatMap((g: { rules: Array<{ expr: string }> }) => g.rules),
    );
    expect(rules.some((r) => r.expr.includes('kafka_consumergroup_lag'))).toBe(true);
  });
});

function envOf(
  container: {
    env?: Array<{ name: string; value?: string }>;
    envFrom?: Array<{ configMapRef?: { name: string } }>;
  },
  configMaps: Map<string, Record<string, string>>,
) {
  const env = new Map<string, string | undefined>();
  for (const from of container.envFrom ?? []) {
    const data = configMaps.get(from.configMapRef!.name);
    if (!data) throw new Error(`ConfigMap ${from.configMapRef!.name} is not rendered`);
    for (const [k, v] of Object.entries(data)) env.set(k, v);
  }
  for (const e of container.env ?? []) env.set(e.name, e.value);
  return env;
}

function selects(
  selector: {
    matchLabels?: Record<string, string>;
    matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
  },
  labels: Record<string, string>,
): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) =>
    e.operator === 'In'
      ? e.values!.includes(labels[e.key])
      : e.operator === 'NotIn'
        ? !e.values!.includes(labels[e.key])
        : e.operator === 'Exists'
          ? e.key in labels
          : !(e.key in labels),
  );
  return byLabels && byExpressions;
}
