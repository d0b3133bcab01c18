import { z } from 'zod';
import type { K8sObject } from './kubectl';

/**
 * The custom resources of the operators deploy/ relies on (Strimzi, CloudNativePG, Prometheus
 * operator) have no model package here: these strict schemas cover exactly the fields the manifests
 * use, with the types and values the operators accept, and reject any field they do not know —
 * a misspelt field fails like it does for the Kubernetes models.
 */
const name = z.string().regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/, 'must be an RFC 1123 subdomain');
const stringMap = z.record(z.string(), z.string());
const metadata = (extra: { labels?: z.ZodType; annotations?: z.ZodType } = {}) =>
  z.strictObject({
    name,
    namespace: z.string().optional(),
    labels: extra.labels ?? stringMap.optional(),
    annotations: extra.annotations ?? stringMap.optional(),
  });
const quantity = z.union([
  z.string().regex(/^[0-9.]+(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, 'must be a Kubernetes quantity'),
  z.number(),
]);
const resources = z.strictObject({
  requests: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
  limits: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
});
const configValue = z.union([z.string(), z.number(), z.boolean()]);
const strimziCluster = z.looseObject({ 'strimzi.io/cluster': name });
const labelSelector = z.strictObject({ matchLabels: stringMap });
const duration = z.string().regex(/^([0-9]+(ms|s|m|h|d|w|y))+$/, 'must be a Prometheus duration');

// Strimzi 0.4x, kafka.strimzi.io/v1beta2 (KRaft with node pools).
const kafkaTopic = z.strictObject({
  apiVersion: z.literal('kafka.strimzi.io/v1beta2'),
  kind: z.literal('KafkaTopic'),
  metadata: metadata({ labels: strimziCluster }),
  spec: z.strictObject({
    topicName: z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/),
    partitions: z.number().int().min(1),
    replicas: z.number().int().min(1).max(32767),
    config: z.record(z.string(), configValue).optional(),
  }),
});
const kafkaNodePool = z.strictObject({
  apiVersion: z.literal('kafka.strimzi.io/v1beta2'),
  kind: z.literal('KafkaNodePool'),
  metadata: metadata({ labels: strimziCluster }),
  spec: z.strictObject({
    replicas: z.number().int().min(0),
    roles: z.array(z.enum(['controller', 'broker'])).min(1),
    storage: z.strictObject({
      type: z.enum(['jbod', 'ephemeral', 'persistent-claim']),
      volumes: z
        .array(
          z.strictObject({
            id: z.number().int().min(0),
            type: z.enum(['persistent-claim', 'ephemeral']),
            size: quantity,
            deleteClaim: z.boolean().optional(),
            kraftMetadata: z.literal('shared').optional(),
          }),
        )
        .optional(),
    }),
    resources: resources.optional(),
  }),
});
const kafka = z.strictObject({
  apiVersion: z.literal('kafka.strimzi.io/v1beta2'),
  kind: z.literal('Kafka'),
  metadata: metadata({
    annotations: z.looseObject({
      'strimzi.io/node-pools': z.literal('enabled'),
      'strimzi.io/kraft': z.literal('enabled'),
    }),
  }),
  spec: z.strictObject({
    kafka: z.strictObject({
      version: z.string().optional(),
      listeners: z
        .array(
          z.strictObject({
            name: z
              .string()
              .regex(/^[a-z0-9]{1,11}$/, 'Strimzi listener names are 1-11 lower-case letters/digits'),
            port: z.number().int().min(9092, 'Strimzi listener ports start at 9092'),
            type: z.enum(['internal', 'route', 'loadbalancer', 'nodeport', 'ingress', 'cluster-ip']),
            tls: z.boolean(),
          }),
        )
        .min(1),
      config: z.record(z.string(), configValue).optional(),
    }),
    entityOperator: z.strictObject({
      topicOperator: z.strictObject({}).optional(),
      userOperator: z.strictObject({}).optional(),
    }),
    kafkaExporter: z.strictObject({ topicRegex: z.string(), groupRegex: z.string() }).optional(),
  }),
});

// CloudNativePG 1.2x, postgresql.cnpg.io/v1.
const cnpgCluster = z.strictObject({
  apiVersion: z.literal('postgresql.cnpg.io/v1'),
  kind: z.literal('Cluster'),
  metadata: metadata(),
  spec: z.strictObject({
    instances: z.number().int().min(1),
    imageName: z.string().optional(),
    primaryUpdateStrategy: z.enum(['unsupervised', 'supervised']).optional(),
    bootstrap: z.strictObject({ initdb: z.strictObject({ database: z.string(), owner: z.string() }) }),
    postgresql: z.strictObject({ parameters: stringMap }).optional(),
    storage: z.strictObject({ size: quantity, storageClass: z.string().optional() }),
    resources: resources.optional(),
    monitoring: z.strictObject({ enablePodMonitor: z.boolean() }).optional(),
  }),
});

// Prometheus operator, monitoring.coreos.com/v1.
const serviceMonitor = z.strictObject({
  apiVersion: z.literal('monitoring.coreos.com/v1'),
  kind: z.literal('ServiceMonitor'),
  metadata: metadata(),
  spec: z.strictObject({
    selector: labelSelector,
    endpoints: z
      .array(
        z.strictObject({
          port: z.string(),
          path: z.string().startsWith('/'),
          interval: duration.optional(),
          scrapeTimeout: duration.optional(),
        }),
      )
      .min(1),
  }),
});
const podMonitor = z.strictObject({
  apiVersion: z.literal('monitoring.coreos.com/v1'),
  kind: z.literal('PodMonitor'),
  metadata: metadata(),
  spec: z.strictObject({
    selector: labelSelector,
    podMetricsEndpoints: z
      .array(z.strictObject({ port: z.string(), path: z.string().startsWith('/') }))
      .min(1),
  }),
});
const prometheusRule = z.strictObject({
  apiVersion: z.literal('monitoring.coreos.com/v1'),
  kind: z.literal('PrometheusRule'),
  metadata: metadata(),
  spec: z.strictObject({
    groups: z
      .array(
        z.strictObject({
          name: z.string(),
          rules: z
            .array(
              z.strictObject({
                alert: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
                expr: z.string().min(1),
                for: duration.optional(),
                labels: z.strictObject({ severity: z.enum(['critical', 'warning', 'info']) }),
                annotations: z.strictObject({
                  summary: z.string(),
                  description: z.string().optional(),
                  runbook_url: z.string().optional(),
                }),
              }),
            )
            .min(1),
        }),
      )
      .min(1),
  }),
});

export const OPERATOR_SCHEMAS: Record<string, z.ZodType> = {
  'kafka.strimzi.io/v1beta2/KafkaTopic': kafkaTopic,
  'kafka.strimzi.io/v1beta2/KafkaNodePool': kafkaNodePool,
  'kafka.strimzi.io/v1beta2/Kafka': kafka,
  'postgresql.cnpg.io/v1/Cluster': cnpgCluster,
  'monitoring.coreos.com/v1/ServiceMonitor': serviceMonitor,
  'monitoring.coreos.com/v1/PodMonitor': podMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': prometheusRule,
};

export const operatorSchemaFor = (o: Pick<K8sObject, 'apiVersion' | 'kind'>): z.ZodType | undefined =>
  OPERATOR_SCHEMAS[`${o.apiVersion}/${o.kind}`];

export function validateOperatorObjects(objects: K8sObject[]): string[] {
  return objects.flatMap((o) => {
    const schema = operatorSchemaFor(o);
    if (!schema) return [`${o.kind}/${o.metadata?.name}: no schema for ${o.apiVersion} ${o.kind}`];
    const parsed = schema.safeParse(o);
    return parsed.success
      ? []
      : parsed.error.issues.map((i) => `${o.kind}/${o.metadata?.name} at ${i.path.join('.')}: ${i.message}`);
  });
}
