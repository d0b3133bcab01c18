import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

// The Grafana dashboard is built on the metrics the code exports: a renamed or removed metric would leave
// a panel silently empty, so every metric a panel queries must be defined in the libraries' source.
const root = path.resolve(__dirname, '../..');
const dashboard = JSON.parse(
  readFileSync(path.join(root, 'deploy/grafana/klaxon-dashboard.json'), 'utf8'),
) as {
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sources(file);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [file] : [];
  });
}

const defined = new Set(
  sources(path.join(root, 'libs')).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/'(klaxon_[a-z_]+)'/g)].map((m) => m[1]),
  ),
);
// prom-client's default process metrics (collectDefaultMetrics).
const PROCESS_METRICS = new Set(['process_cpu_seconds_total']);

it.each(dashboard.panels.map((p) => [p.title, p] as const))(
  'panel "%s" queries metrics the code exports',
  (_t, panel) => {
    expect(panel.targets.length).toBeGreaterThan(0);
    for (const { expr } of panel.targets) {
      const names = [...expr.matchAll(/\b((?:klaxon|process)_[a-z_]+)/g)].map((m) =>
        m[1].replace(/_(bucket|count|sum)$/, ''),
      );
      expect(names.length).toBeGreaterThan(0);
      for (const name of names)
        expect(PROCESS_METRICS.has(name) || defined.has(name) ? name : `${name} (undefined)`).toBe(name);
    }
  },
);
