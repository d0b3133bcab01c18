import type { FastifyInstance } from 'fastify';
import { counter, histogram, type Registry } from '@klaxon/platform/observability';

/**
 * Request count and duration by method, route template (`/api/complaints/:id`, never the raw URL:
 * ids would explode the label set) and status. Requests that matched no route count as `unmatched`.
 */
export function recordHttpMetrics(fastify: FastifyInstance, registry: Registry): void {
  const requests = counter(registry, 'klaxon_http_requests_total', 'HTTP requests answered', [
    'method',
    'route',
    'status',
  ]);
  const duration = histogram(
    registry,
    'klaxon_http_request_duration_seconds',
    'Time from request to answer',
    ['method', 'route', 'status'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  fastify.addHook('onResponse', (request, reply, done) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
}
