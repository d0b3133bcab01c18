import type { Priority } from '@klaxon/contracts';

export const PRIORITY_RANK: Record<Priority, number> = { critical: 0, high: 1, normal: 2 };

/** The order a team queue is served in: priority first, then the oldest. */
export function compareQueued(
  a: { priority: Priority; receivedAt: string | Date },
  b: { priority: Priority; receivedAt: string | Date },
): number {
  return (
    PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
    new Date(a.receivedAt).getTime() - new Date(b.receivedAt).getTime()
  );
}
