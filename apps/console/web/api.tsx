// The console's API client, typed against the API's own answer types (type-only imports: nothing of the server is bundled).
import type { SessionView } from '@klaxon/platform/auth';
import type { ComplaintView, Page } from '@klaxon/intake/feature';
import type {
  CustomerView,
  MemberView,
  RootCauseCounts,
  RootCauseItemDetail,
  RootCauseItemView,
  SignalView,
  UndoResult,
} from '@klaxon/routing/feature';
import type { KpiGroup, NoticeResult } from '@klaxon/sla/feature';
import type { CaseActionResult, SentMail, ThreadMessage } from '@klaxon/cases/feature';
import type { CaseCommand } from '@klaxon/cases/domain';

export type {
  SessionView,
  ComplaintView,
  Page,
  CustomerView,
  MemberView,
  SignalView,
  UndoResult,
  KpiGroup,
  CaseActionResult,
  CaseCommand,
  SentMail,
  ThreadMessage,
  RootCauseCounts,
  RootCauseItemDetail,
  RootCauseItemView,
  NoticeResult,
};
export interface TeamView {
  id: string;
  name: string;
  leadId: string;
}
export interface KpiAnswer {
  from: string;
  to: string;
  groupBy: string;
  groups: KpiGroup[];
}
export interface RootCauseSummary {
  from: string;
  to: string;
  total: RootCauseCounts;
  byCategory: Array<RootCauseCounts & { category: string }>;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken = '';
export const setCsrfToken = (token: string) => (csrfToken = token);
const csrfFromCookie = () => /(?:^|;\s*)klaxon_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';

/** Same-origin JSON calls; state-changing ones carry the session's CSRF token. */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken || csrfFromCookie();
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (res.status === 204) return undefined as T;
  const json = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  if (!res.ok)
    throw new ApiFailure(
      res.status,
      json?.error?.code ?? `http-${res.status}`,
      json?.error?.message ?? res.statusText,
    );
  return json as T;
}

export const qs = (params: Record<string, string | number | undefined>) =>
  Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
