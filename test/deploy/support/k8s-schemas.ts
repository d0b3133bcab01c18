import { execFileSync } from 'node:child_process';
import ts from 'typescript';
import { z } from 'zod';
import { ROOT, type K8sObject } from './kubectl';

/**
 * Validates rendered objects against the Kubernetes schemas, two ways:
 *  - type-checks each object as an object literal of its `kubernetes-models` / `@kubernetes-models/keda`
 *    interface, so TypeScript's excess-property check rejects a misspelt or misplaced field anywhere
 *    in the tree (the packages' runtime validators allow unknown fields);
 *  - runs the packages' runtime validators (required fields, types, enums, formats) in a plain Node
 *    process (the packages are ES modules only).
 * Strimzi, CloudNativePG and Prometheus-operator objects are checked against strict schemas of the
 * fields these manifests use (./operator-schemas.ts).
 */
export interface ModelRef {
  module: string;
  type: string;
  className: string;
}

const MODELS: Record<string, ModelRef> = {
  'v1/Namespace': { module: 'kubernetes-models/v1', type: 'INamespace', className: 'Namespace' },
  'v1/ServiceAccount': {
    module: 'kubernetes-models/v1',
    type: 'IServiceAccount',
    className: 'ServiceAccount',
  },
  'v1/ConfigMap': { module: 'kubernetes-models/v1', type: 'IConfigMap', className: 'ConfigMap' },
  'v1/Secret': { module: 'kubernetes-models/v1', type: 'ISecret', className: 'Secret' },
  'v1/Service': { module: 'kubernetes-models/v1', type: 'IService', className: 'Service' },
  'apps/v1/Deployment': { module: 'kubernetes-models/apps/v1', type: 'IDeployment', className: 'Deployment' },
  'batch/v1/Job': { module: 'kubernetes-models/batch/v1', type: 'IJob', className: 'Job' },
  'policy/v1/PodDisruptionBudget': {
    module: 'kubernetes-models/policy/v1',
    type: 'IPodDisruptionBudget',
    className: 'PodDisruptionBudget',
  },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    module: 'kubernetes-models/autoscaling/v2',
    type: 'IHorizontalPodAutoscaler',
    className: 'HorizontalPodAutoscaler',
  },
  'networking.k8s.io/v1/NetworkPolicy': {
    module: 'kubernetes-models/networking.k8s.io/v1',
    type: 'INetworkPolicy',
    className: 'NetworkPolicy',
  },
  'keda.sh/v1alpha1/ScaledObject': {
    module: '@kubernetes-models/keda/keda.sh/v1alpha1',
    type: 'IScaledObject',
    className: 'ScaledObject',
  },
};

export const modelFor = (o: Pick<K8sObject, 'apiVersion' | 'kind'>): ModelRef | undefined =>
  MODELS[`${o.apiVersion}/${o.kind}`];

export const describeObject = (o: K8sObject) => `${o.kind}/${o.metadata?.name}`;

/** TypeScript's excess-property and type checks of every object against its model interface. */
export function typeCheckObjects(objects: K8sObject[]): string[] {
  const refs = objects.map((o) => {
    const ref = modelFor(o);
    if (!ref) throw new Error(`no Kubernetes model for ${o.apiVersion} ${o.kind}`);
    return ref;
  });
  const imports = new Map<string, Set<string>>();
  refs.forEach((r) => imports.set(r.module, (imports.get(r.module) ?? new Set()).add(r.type)));
  const lines = [...imports].map(([m, types]) => `import type { ${[...types].join(', ')} } from '${m}';`);
  const startLine: number[] = [];
  objects.forEach((o, i) => {
    startLine.push(lines.length);
    lines.push(`export const o${i}: ${refs[i].type} = ${JSON.stringify(o, null, 1)};`.split('\n').join('\n'));
    for (let extra = lines[lines.length - 1].split('\n').length - 1; extra > 0; extra--) startLine.push(-1);
  });
  const source = lines.join('\n');
  const fileName = `${ROOT}/test/deploy/__rendered__.mts`;
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => (f === fileName ? source : readFile(f));
  host.fileExists = (
    (exists) => (f: string) =>
      f === fileName || exists(f)
  )(host.fileExists.bind(host));
  host.getSourceFile = (f, lang, ...rest) =>
    f === fileName ? ts.createSourceFile(f, source, lang, true) : getSourceFile(f, lang, ...rest);
  const program = ts.createProgram([fileName], options, host);
  const diagnostics = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === fileName || !d.file);
  const objectStarts = objects.map((_, i) => source.indexOf(`export const o${i}:`));
  return diagnostics.map((d) => {
    const at = d.start ?? 0;
    let index = 0;
    objectStarts.forEach((s, i) => {
      if (s <= at) index = i;
    });
    const where = d.file ? pathAt(source, objectStarts[index], at) : '';
    return `${describeObject(objects[index])}${where}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

/** The quoted keys leading to a position in the JSON literal, e.g. ` at spec.template.spec.containers`. */
function pathAt(source: string, from: number, at: number): string {
  const keys: string[] = [];
  const pending: Array<string | null> = [];
  const text = source.slice(source.indexOf('=', from) + 1, at);
  let lastKey: string | null = null;
  const re = /"((?:[^"\\]|\\.)*)"(\s*:)?|[{}[\]]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1] !== undefined) {
      if (m[2]) lastKey = m[1];
    } else if (m[0] === '{' || m[0] === '[') {
      pending.push(lastKey);
      lastKey = null;
    } else {
      pending.pop();
    }
  }
  for (const k of pending) if (k) keys.push(k);
  return keys.length ? ` at ${keys.join('.')}` : '';
}

/** The packages' own validators, run in plain Node (they are ES modules). */
export function runtimeValidateObjects(objects: K8sObject[]): string[] {
  const jobs = objects.map((o) => ({ ref: modelFor(o), object: o }));
  const script = `
    const input = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    (async () => {
      const errors = [];
      for (const { ref, object } of input) {
        if (!ref) { errors.push(object.kind + '/' + object.metadata?.name + ': no model'); continue; }
        const Model = (await import(ref.module))[ref.className];
        try { new Model(object).validate(); } catch (e) { errors.push(object.kind + '/' + object.metadata?.name + ': ' + e.message); }
      }
      process.stdout.write(JSON.stringify(errors));
    })().catch((e) => { console.error(e); process.exit(2); });`;
  const out = execFileSync(process.execPath, ['-e', script], {
    cwd: ROOT,
    input: JSON.stringify(jobs),
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[];
}

export type OperatorSchemas = Record<string, z.ZodType>;
