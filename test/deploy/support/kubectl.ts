import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadAll } from 'js-yaml';

export const ROOT = path.resolve(__dirname, '../../..');
export const K8S_DIR = path.join(ROOT, 'deploy/k8s');
export const OVERLAYS = ['dev', 'production'] as const;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- rendered YAML, checked field by field
  data?: Record<string, string>;
  [key: string]: unknown;
}

/** kubectl ships Kustomize; without it nothing here can be checked, and the test says so. */
export function kubectlPath(): string {
  const candidates = [process.env.KUBECTL, '/usr/bin/kubectl', '/usr/local/bin/kubectl'].filter(
    (p): p is string => !!p,
  );
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      'kubectl is missing: the deploy tests render deploy/k8s overlays with `kubectl kustomize` (kubectl >= 1.27, Kustomize v5). ' +
        'Install kubectl (https://kubernetes.io/docs/tasks/tools/) or point KUBECTL at it.',
    );
  }
  return found;
}

/** `kubectl kustomize <dir>` parsed into objects. */
export function kustomize(dir: string): K8sObject[] {
  const yaml = execFileSync(kubectlPath(), ['kustomize', dir], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return (loadAll(yaml) as Array<K8sObject | null>).filter((o): o is K8sObject => !!o);
}

export function renderOverlay(overlay: string): K8sObject[] {
  return kustomize(path.join(K8S_DIR, 'overlays', overlay));
}

export function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function named(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} named ${name}`);
  return found;
}
