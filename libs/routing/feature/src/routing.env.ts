import { z } from 'zod';
import { bool, parseEnv, positiveInt, type Env } from '@klaxon/platform/config';
import { DEFAULT_ESCALATION_POLICY, DEFAULT_ROOT_CAUSE_POLICY } from '@klaxon/routing/domain';
import type { RoutingOptions } from './routing.options';

const nonNegativeInt = z.coerce.number().int().min(0);

/**
 * The router's thresholds from an app's environment (the app passes it in; libraries never read
 * process.env). Every one has the default from the brief.
 */
export function routingOptionsFromEnv(env: Env): Partial<RoutingOptions> {
  const e = parseEnv(
    {
      ROUTER_REPEAT_COUNT: positiveInt.default(DEFAULT_ESCALATION_POLICY.repeatCount),
      ROUTER_REPEAT_WINDOW_DAYS: positiveInt.default(DEFAULT_ESCALATION_POLICY.repeatWindowDays),
      ROUTER_REACH_THRESHOLD: positiveInt.default(DEFAULT_ESCALATION_POLICY.reachThreshold),
      ROUTER_ROOT_CAUSE_COUNT: positiveInt.default(DEFAULT_ROOT_CAUSE_POLICY.reviewCount),
      ROUTER_ROOT_CAUSE_WINDOW_DAYS: positiveInt.default(DEFAULT_ROOT_CAUSE_POLICY.reviewWindowDays),
      ROUTER_SPIKE_FACTOR: z.coerce.number().positive().default(DEFAULT_ROOT_CAUSE_POLICY.spikeFactor),
      ROUTER_SPIKE_MIN_COUNT: positiveInt.default(DEFAULT_ROOT_CAUSE_POLICY.spikeMinCount),
      ROUTER_ROOT_CAUSE_BY_UNIT: bool.default(DEFAULT_ROOT_CAUSE_POLICY.byUnit),
      ROUTER_REVIEW_DUE_WORKING_DAYS: positiveInt.default(DEFAULT_ROOT_CAUSE_POLICY.reviewDueWorkingDays),
      ROUTER_REVIEW_OWNER_ID: z.string().trim().min(1).optional(),
      ROUTER_QUEUE_SCAN_INTERVAL_MS: nonNegativeInt.default(15_000),
      ROUTER_DEFAULT_COUNTRY: z.enum(['NL', 'BE', 'DE', 'GB', 'US']).default('NL'),
    },
    env,
  );
  return {
    escalation: {
      repeatCount: e.ROUTER_REPEAT_COUNT,
      repeatWindowDays: e.ROUTER_REPEAT_WINDOW_DAYS,
      reachThreshold: e.ROUTER_REACH_THRESHOLD,
    },
    rootCause: {
      ...DEFAULT_ROOT_CAUSE_POLICY,
      reviewCount: e.ROUTER_ROOT_CAUSE_COUNT,
      reviewWindowDays: e.ROUTER_ROOT_CAUSE_WINDOW_DAYS,
      spikeFactor: e.ROUTER_SPIKE_FACTOR,
      spikeMinCount: e.ROUTER_SPIKE_MIN_COUNT,
      byUnit: e.ROUTER_ROOT_CAUSE_BY_UNIT,
      reviewDueWorkingDays: e.ROUTER_REVIEW_DUE_WORKING_DAYS,
      ...(e.ROUTER_REVIEW_OWNER_ID ? { ownerId: e.ROUTER_REVIEW_OWNER_ID } : {}),
    },
    queueScanIntervalMs: e.ROUTER_QUEUE_SCAN_INTERVAL_MS,
    defaultCountry: e.ROUTER_DEFAULT_COUNTRY,
  };
}
