import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { api, ApiFailure, type ComplaintView } from '../api';
import { countdown, useI18n, useTaxonomy } from '../i18n';
import { useLive } from '../live';

/** Fetches on mount, on `deps` change and on every live event (so lists follow the bus within a second). */
export function useApi<T>(path: string | null, options: { live?: boolean } = { live: true }) {
  const { tick } = useLive();
  const [state, setState] = useState<{
    path: string | null;
    data?: T;
    error?: ApiFailure | Error;
    loading: boolean;
  }>({ path, loading: true });
  const [nonce, setNonce] = useState(0);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const liveTick = options.live === false ? 0 : tick;
  useEffect(() => {
    if (!path) return;
    let cancelled = false;
    api<T>(path).then(
      (data) => !cancelled && setState({ path, data, loading: false }),
      // A refresh that fails keeps what was shown for the same path; another path's data is never shown.
      (error: Error) =>
        !cancelled &&
        setState((s) => ({ path, data: s.path === path ? s.data : undefined, error, loading: false })),
    );
    return () => {
      cancelled = true;
    };
  }, [path, liveTick, nonce]);
  // While another path loads, show nothing of the previous one.
  if (state.path !== path) return { loading: true, reload, data: undefined, error: undefined };
  return { ...state, reload };
}

export function Failure({ error }: { error: Error }) {
  const { t } = useI18n();
  const text =
    error instanceof ApiFailure && error.status === 403
      ? t('forbidden')
      : error instanceof ApiFailure && error.status === 404
        ? t('notFound')
        : `${t('error')}: ${error.message}`;
  return (
    <p role="alert" className="error">
      {text}
    </p>
  );
}

/** The classifier's evidence words (`latent: word`, `delivery: word`) marked in the text. */
export function evidenceWords(why: string[]): string[] {
  return why
    .filter((w) => !w.startsWith('rule:') && !w.startsWith('priority:'))
    .map((w) => w.slice(w.indexOf(':') + 1).trim())
    .filter((w) => w.length > 1);
}

export function Highlighted({ text, words }: { text: string; words: string[] }) {
  const { t } = useI18n();
  if (!words.length) return <>{text}</>;
  const escaped = [...new Set(words)].map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  // Stems match the start of a word: "deliver" marks "delivered".
  const re = new RegExp(`\\b(${escaped.join('|')})\\w*`, 'giu');
  const parts: ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    parts.push(text.slice(last, m.index));
    parts.push(
      <mark key={m.index} title={t('evidence')}>
        {m[0]}
      </mark>,
    );
    last = (m.index ?? 0) + m[0].length;
  }
  parts.push(text.slice(last));
  return <>{parts}</>;
}

export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

/** The running clock that breaches first. */
export type Deadline = ComplaintView['deadlines'][number] & { deadline: string };

export function nextDeadline(c: Pick<ComplaintView, 'deadlines'>): Deadline | undefined {
  // A paused clock (waiting on the customer) has no deadline: it does not count down.
  return c.deadlines
    .filter((d): d is Deadline => d.deadline !== null && ['running', 'warned', 'breached'].includes(d.status))
    .sort((a, b) => a.deadline.localeCompare(b.deadline))[0];
}

export function Countdown({
  deadline,
  now,
}: {
  deadline: ComplaintView['deadlines'][number] | undefined;
  now: number;
}) {
  const { t } = useI18n();
  const taxonomy = useTaxonomy();
  if (!deadline) return <span className="muted">—</span>;
  if (deadline.deadline === null)
    return (
      <span className="clock">
        {taxonomy.clock(deadline.clock)}: {taxonomy.status(deadline.status)}
      </span>
    );
  const c = countdown(deadline.deadline, now, t);
  const warn = !c.overdue && deadline.warnAt !== null && new Date(deadline.warnAt).getTime() <= now;
  return (
    <span className={c.overdue ? 'clock overdue' : warn ? 'clock warn' : 'clock'}>
      {taxonomy.clock(deadline.clock)}: {c.text}
    </span>
  );
}

export function Priority({ value }: { value: string | null | undefined }) {
  const taxonomy = useTaxonomy();
  if (!value) return null;
  return <span className={`badge p-${value}`}>{taxonomy.priority(value)}</span>;
}

export const PRIORITY_RANK: Record<string, number> = { critical: 0, high: 1, normal: 2 };

/** What matters at a glance: escalated, legal or press threat, safety, a repeat complainant, a large reach. */
export function Badges({ complaint: c }: { complaint: ComplaintView }) {
  const { t } = useI18n();
  const reasons = new Set(c.classification?.priorityReasons ?? []);
  const social = (c.channelMeta?.social ?? null) as { followers?: number } | null;
  const followers = typeof social?.followers === 'number' ? social.followers : 0;
  const badges: Array<[string, string]> = [];
  if (c.escalated) badges.push(['escalated', t('badgeEscalated')]);
  if (reasons.has('legal-threat')) badges.push(['threat', t('badgeLegal')]);
  if (reasons.has('press-media')) badges.push(['threat', t('badgePress')]);
  if (reasons.has('safety')) badges.push(['threat', t('badgeSafety')]);
  if (reasons.has('repeat-complainant')) badges.push(['repeat', t('badgeRepeat')]);
  if (followers >= 1000)
    badges.push([
      'reach',
      `${t('reach')} ${new Intl.NumberFormat(undefined, { notation: 'compact' }).format(followers)}`,
    ]);
  return (
    <>
      {badges.map(([kind, label]) => (
        <span key={label} className={`badge ${kind}`}>
          {label}
        </span>
      ))}
    </>
  );
}
