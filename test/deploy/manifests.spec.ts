import { OVERLAYS, renderOverlay, type K8sObject } from './support/kubectl';
import { describeObject, modelFor, runtimeValidateObjects, typeCheckObjects } from './support/k8s-schemas';
import { operatorSchemaFor, validateOperatorObjects } from './support/operator-schemas';

// Every overlay renders with `kubectl kustomize`, and every object it renders is valid against the
// Kubernetes schemas (kubernetes-models, @kubernetes-models/keda) or, for the operators' resources,
// the strict schemas of the fields we use. A misspelt field fails (proved below).

const rendered = new Map<string, K8sObject[]>(OVERLAYS.map((o) => [o, renderOverlay(o)]));
const all = [...rendered.values()].flat();
const k8sObjects = all.filter((o) => modelFor(o));
const operatorObjects = all.filter((o) => !modelFor(o));
// One TypeScript program and one validator process for both overlays (each costs seconds).
const typeErrors = typeCheckObjects(k8sObjects);
const runtimeErrors = runtimeValidateObjects(k8sObjects);

describe.each([...OVERLAYS])('overlay %s', (overlay) => {
  const objects = rendered.get(overlay)!;

  it('renders the whole application with its platform resources', () => {
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of [
      'Namespace',
      'Deployment',
      'Service',
      'ConfigMap',
      'Job',
      'PodDisruptionBudget',
      'HorizontalPodAutoscaler',
      'ScaledObject',
      'NetworkPolicy',
      'KafkaTopic',
      'Kafka',
      'KafkaNodePool',
      'Cluster',
      'ServiceMonitor',
      'PrometheusRule',
    ]) {
      expect([kind, kinds.has(kind)]).toEqual([kind, true]);
    }
    const namespaces = ofKindNames(objects, 'Namespace');
    expect(namespaces).toHaveLength(1);
    for (const o of objects.filter((x) => x.kind !== 'Namespace'))
      expect([describeObject(o), o.metadata.namespace]).toEqual([describeObject(o), namespaces[0]]);
  });

  it('has a schema for every kind it renders', () => {
    expect(
      objects.filter((o) => !modelFor(o) && !operatorSchemaFor(o)).map((o) => `${o.apiVersion} ${o.kind}`),
    ).toEqual([]);
  });

  it('passes the Kubernetes schemas (field names and types, then the validators)', () => {
    const names = new Set(objects.filter((o) => modelFor(o)).map(describeObject));
    const mine = (e: string) => names.has(e.split(/[ :]/)[0]);
    expect(typeErrors.filter(mine)).toEqual([]);
    expect(runtimeErrors.filter(mine)).toEqual([]);
  });

  it('passes the Strimzi, CloudNativePG and Prometheus-operator schemas', () => {
    expect(validateOperatorObjects(objects.filter((o) => operatorSchemaFor(o)))).toEqual([]);
  });
});

it('covers both kinds of object', () => {
  expect(k8sObjects.length).toBeGreaterThan(20);
  expect(operatorObjects.length).toBeGreaterThan(10);
});

describe('a broken manifest fails', () => {
  const production = rendered.get('production')!;
  const clone = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T;
  const find = (kind: string, name?: string) =>
    clone(production.find((o) => o.kind === kind && (!name || o.metadata.name === name))!);

  it('a misspelt or misplaced field in a Kubernetes or KEDA object', () => {
    const deployment = find('Deployment', 'router');
    deployment.spec.template.spec.containers[0].readinesProbe =
      deployment.spec.template.spec.containers[0].readinessProbe;
    const job = find('Job');
    job.spec.template.spec.securityContext.readOnlyRootFilesystem = true; // a container field, not a pod field
    const scaled = find('ScaledObject', 'classifier');
    scaled.spec.maxReplicaCounts = 3;
    const policy = find('NetworkPolicy', 'klaxon-allow-dns');
    policy.spec.egress[0].to[0].namespaceSelectors = policy.spec.egress[0].to[0].namespaceSelector;
    const errors = typeCheckObjects([deployment, job, scaled, policy]);
    expect(errors).toEqual([
      expect.stringMatching(
        /^Deployment\/router at spec\.template\.spec\.containers: .*'"readinesProbe"' does not exist/,
      ),
      expect.stringMatching(
        /^Job\/klaxon-migrate at spec\.template\.spec\.securityContext: .*'"readOnlyRootFilesystem"' does not exist/,
      ),
      expect.stringMatching(/^ScaledObject\/classifier at spec: .*'"maxReplicaCounts"' does not exist/),
      expect.stringMatching(
        /^NetworkPolicy\/klaxon-allow-dns at spec\.egress\.to: .*'"namespaceSelectors"' does not exist/,
      ),
    ]);
  });

  it('a wrong type or a missing required field', () => {
    const deployment = find('Deployment', 'intake');
    deployment.spec.template.spec.containers[0].ports[0].containerPort = '3000x';
    const scaled = find('ScaledObject', 'router');
    delete scaled.spec.scaleTargetRef;
    expect(runtimeValidateObjects([deployment, scaled])).toEqual([
      expect.stringMatching(/^Deployment\/intake: .*containerPort must be integer/),
      expect.stringMatching(/^ScaledObject\/router: .*must have required property scaleTargetRef/),
    ]);
  });

  it('a misspelt field or a bad value in an operator resource', () => {
    const topic = find('KafkaTopic');
    topic.spec.partition = topic.spec.partitions;
    delete topic.spec.partitions;
    const cluster = find('Cluster');
    cluster.spec.instance = 3;
    const kafka = find('Kafka');
    kafka.spec.kafka.listeners[0].port = 8080;
    const rule = find('PrometheusRule');
    rule.spec.groups[0].rules[0].for = '5 minutes';
    expect(validateOperatorObjects([topic, cluster, kafka, rule])).toEqual([
      expect.stringMatching(/^KafkaTopic\/.* at spec\.partitions: /),
      expect.stringMatching(/^KafkaTopic\/.* at spec: Unrecognized key: "partition"/),
      expect.stringMatching(/^Cluster\/klaxon-db at spec: Unrecognized key: "instance"/),
      expect.stringMatching(
        /^Kafka\/klaxon-kafka at spec\.kafka\.listeners\.0\.port: Strimzi listener ports start at 9092/,
      ),
      expect.stringMatching(
        /^PrometheusRule\/klaxon at spec\.groups\.0\.rules\.0\.for: must be a Prometheus duration/,
      ),
    ]);
  });
});

function ofKindNames(objects: K8sObject[], kind: string): string[] {
  return objects.filter((o) => o.kind === kind).map((o) => o.metadata.name);
}
