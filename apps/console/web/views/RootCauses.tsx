import { useState, type FormEvent } from 'react';
import {
  api,
  ApiFailure,
  qs,
  type NoticeResult,
  type RootCauseItemDetail,
  type RootCauseItemView,
} from '../api';
import type { User } from '../App';
import { countdown, formatTime, useI18n, type T } from '../i18n';
import { Failure, useApi, useNow } from './shared';

const LEADS = ['team-lead', 'admin'];
const mayWork = (item: Pick<RootCauseItemView, 'owner'>, user: User) =>
  LEADS.includes(user.role ?? '') || (!!user.memberId && item.owner?.id === user.memberId);
const kindLabel = (kind: string, t: T) => (kind === 'spike' ? t('kindSpike') : t('kindReview'));

function Due({ item, now }: { item: Pick<RootCauseItemView, 'dueAt' | 'status'>; now: number }) {
  const { t } = useI18n();
  if (!item.dueAt || item.status !== 'open') return <span className="muted">—</span>;
  const c = countdown(item.dueAt, now, t);
  return (
    <span className={c.overdue ? 'clock overdue' : 'clock'}>
      {c.overdue ? `${t('overdue')} (${c.text})` : c.text}
    </span>
  );
}

function ItemTable({ items, caption, now }: { items: RootCauseItemView[]; caption: string; now: number }) {
  const { t, lang } = useI18n();
  return (
    <table>
      <caption>{`${caption} (${items.length})`}</caption>
      <thead>
        <tr>
          <th scope="col">{t('category')}</th>
          <th scope="col">{t('reason')}</th>
          <th scope="col">{t('owner')}</th>
          <th scope="col">{t('due')}</th>
          <th scope="col">{t('linked')}</th>
          <th scope="col">{t('opened')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((i) => (
          <tr key={i.id} data-item={i.id}>
            <td>
              <a href={`#/review/${i.id}`}>
                {kindLabel(i.kind, t)}: {i.category}
                {i.unit ? ` (${i.unit})` : ''}
              </a>
              {i.overdue && <span className="badge overdue"> {t('overdue')}</span>}
            </td>
            <td className="snippet">{i.reason}</td>
            <td>{i.owner?.name ?? t('noOwner')}</td>
            <td>
              <Due item={i} now={now} />
            </td>
            <td>{i.linkedCount}</td>
            <td>{formatTime(i.openedAt, lang)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The root-cause work of my teams: open reviews (overdue first), spikes proposed as incidents, what was concluded. */
export function RootCauses() {
  const { t } = useI18n();
  const now = useNow();
  const list = useApi<{ items: RootCauseItemView[] }>(`/api/root-cause-items?${qs({ pageSize: 200 })}`);
  if (list.error && !list.data) return <Failure error={list.error} />;
  if (!list.data) return <p>{t('loading')}</p>;
  const items = list.data.items;
  const reviews = items
    .filter((i) => i.kind === 'review' && i.status === 'open')
    .sort((a, b) => (a.dueAt ?? '9999').localeCompare(b.dueAt ?? '9999'));
  const spikes = items.filter((i) => i.kind === 'spike' && i.status === 'open');
  const closed = items.filter((i) => i.status !== 'open');
  return (
    <>
      <section aria-labelledby="r-reviews">
        <h2 id="r-reviews">{t('reviews')}</h2>
        {reviews.length ? (
          <ItemTable items={reviews} caption={t('reviews')} now={now} />
        ) : (
          <p className="muted">{t('nothing')}</p>
        )}
      </section>
      <section aria-labelledby="r-spikes">
        <h2 id="r-spikes">{t('spikes')}</h2>
        {spikes.length ? (
          <ItemTable items={spikes} caption={t('spikes')} now={now} />
        ) : (
          <p className="muted">{t('nothing')}</p>
        )}
      </section>
      <section aria-labelledby="r-closed">
        <h2 id="r-closed">{t('concluded')}</h2>
        {closed.length ? (
          <ItemTable items={closed} caption={t('concluded')} now={now} />
        ) : (
          <p className="muted">{t('nothing')}</p>
        )}
      </section>
    </>
  );
}

/** One review or spike: why it opened, its complaints, and the work — record the cause, or inform and close. */
export function RootCauseDetail({ id, user }: { id: string; user: User }) {
  const { t, lang } = useI18n();
  const now = useNow();
  const item = useApi<RootCauseItemDetail>(`/api/root-cause-items/${encodeURIComponent(id)}`);
  const [message, setMessage] = useState<{ text: string; ok: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  if (item.error && !item.data) return <Failure error={item.error} />;
  if (!item.data) return <p>{t('loading')}</p>;
  const v = item.data;
  const allowed = mayWork(v, user);
  const post = async (label: string, path: string, body: unknown, describe?: (r: unknown) => string) => {
    setBusy(true);
    try {
      const answer = await api<unknown>(path, { method: 'POST', body });
      setMessage({ text: `${label}: ${describe ? describe(answer) : t('done')}`, ok: true });
      item.reload();
      return true;
    } catch (err) {
      setMessage({ text: err instanceof ApiFailure ? `${label}: ${err.message}` : t('error'), ok: false });
      return false;
    } finally {
      setBusy(false);
    }
  };
  const conclude = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    await post(t('recordCause'), `/api/root-cause-items/${v.id}/conclusion`, {
      cause: String(f.get('cause') ?? '').trim(),
      measure: String(f.get('measure') ?? '').trim(),
      founded: f.get('founded') === 'on',
    });
  };
  const inform = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const note = String(new FormData(e.currentTarget).get('note') ?? '').trim();
    await post(
      t('informCustomers'),
      '/api/customer-notices',
      { spikeId: v.id, ...(note ? { note } : {}) },
      (r) => {
        const n = r as NoticeResult;
        return `${n.queued.email + n.queued.webcare + n.queued.manual} ${t('noticesQueued')} (e-mail ${n.queued.email}, ${t('noticesWebcare')} ${n.queued.webcare}, ${t('noticesManual')} ${n.queued.manual})`;
      },
    );
  };
  const close = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const note = String(new FormData(e.currentTarget).get('note') ?? '').trim();
    await post(t('closeSpike'), `/api/root-cause-items/${v.id}/close`, note ? { note } : {});
  };
  const noticeCount = v.notices.queued + v.notices.sent + v.notices.forWebcare + v.notices.manual;
  return (
    <article className="detail" aria-labelledby="rc-title">
      <h2 id="rc-title">
        {kindLabel(v.kind, t)}: {v.category}
        {v.unit ? ` (${v.unit})` : ''}
      </h2>
      <div role="status" aria-live="polite" className={message && !message.ok ? 'error' : 'ok'}>
        {message?.text}
      </div>
      <div className="grid">
        <section aria-labelledby="rc-facts">
          <h3 id="rc-facts">{t('why')}</h3>
          {v.kind === 'spike' && <p>{t('proposedIncident')}</p>}
          <dl>
            <dt>{t('reason')}</dt>
            <dd>{v.reason}</dd>
            <dt>{t('status')}</dt>
            <dd data-testid="item-status">{v.status}</dd>
            <dt>{t('opened')}</dt>
            <dd>{formatTime(v.openedAt, lang)}</dd>
            <dt>{t('owner')}</dt>
            <dd>{v.owner?.name ?? t('noOwner')}</dd>
            {v.kind === 'review' && (
              <>
                <dt>{t('due')}</dt>
                <dd>
                  {v.dueAt ? formatTime(v.dueAt, lang) : '—'} <Due item={v} now={now} />
                </dd>
              </>
            )}
            {v.conclusion && (
              <>
                <dt>{t('cause')}</dt>
                <dd data-testid="cause">{v.conclusion.cause}</dd>
                <dt>{t('measure')}</dt>
                <dd>{v.conclusion.measure}</dd>
                <dt>{t('foundedLabel')}</dt>
                <dd>{v.conclusion.founded ? t('foundedYes') : t('foundedNo')}</dd>
              </>
            )}
            {v.kind === 'spike' && (
              <>
                <dt>{t('informed')}</dt>
                <dd data-testid="notices">
                  {noticeCount} ({t('noticesQueued')} {v.notices.queued}, {t('noticesSent')} {v.notices.sent},{' '}
                  {t('noticesWebcare')} {v.notices.forWebcare}, {t('noticesManual')} {v.notices.manual})
                </dd>
              </>
            )}
            {v.closeNote && (
              <>
                <dt>{t('note')}</dt>
                <dd>{v.closeNote}</dd>
              </>
            )}
          </dl>
        </section>
        <section aria-labelledby="rc-work">
          <h3 id="rc-work">{t('actions')}</h3>
          {v.status !== 'open' ? (
            <p className="muted">{t('concluded')}</p>
          ) : !allowed ? (
            <p className="muted">{t('onlyOwnerOrLead')}</p>
          ) : v.kind === 'review' ? (
            <form className="action" onSubmit={conclude} aria-label={t('recordCause')}>
              <fieldset>
                <legend>{t('recordCause')}</legend>
                <label htmlFor="rc-cause">{t('cause')}</label>
                <textarea id="rc-cause" name="cause" rows={3} required />
                <label htmlFor="rc-measure">{t('measure')}</label>
                <textarea id="rc-measure" name="measure" rows={3} required />
                <label className="check" htmlFor="rc-founded">
                  <input id="rc-founded" name="founded" type="checkbox" /> {t('reviewFounded')}
                </label>
                <button type="submit" disabled={busy}>
                  {t('recordCause')}
                </button>
              </fieldset>
            </form>
          ) : (
            <>
              <form className="action" onSubmit={inform} aria-label={t('informCustomers')}>
                <fieldset>
                  <legend>{t('informCustomers')}</legend>
                  <label htmlFor="rc-note">{t('informNote')}</label>
                  <textarea id="rc-note" name="note" rows={2} />
                  <button type="submit" disabled={busy}>
                    {t('informCustomers')} ({v.linkedCount})
                  </button>
                </fieldset>
              </form>
              <form className="action" onSubmit={close} aria-label={t('closeSpike')}>
                <fieldset>
                  <legend>{t('closeSpike')}</legend>
                  <label htmlFor="rc-close-note">{t('note')}</label>
                  <input id="rc-close-note" name="note" />
                  <button type="submit" className="secondary" disabled={busy}>
                    {t('closeSpike')}
                  </button>
                </fieldset>
              </form>
            </>
          )}
        </section>
      </div>
      <section aria-labelledby="rc-linked">
        <h3 id="rc-linked">{t('linked')}</h3>
        <table>
          <caption className="sr-only">{t('linked')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('complaints')}</th>
              <th scope="col">{t('channel')}</th>
              <th scope="col">{t('status')}</th>
              <th scope="col">{t('foundedLabel')}</th>
              <th scope="col">{t('received')}</th>
              <th scope="col">{t('why')}</th>
            </tr>
          </thead>
          <tbody>
            {v.complaints.map((c) => (
              <tr key={c.id} data-complaint={c.id}>
                <td>
                  <a href={`#/complaint/${c.id}`}>{c.reference}</a>
                </td>
                <td>{c.channel}</td>
                <td>{c.status}</td>
                <td>{c.founded === null ? '—' : c.founded ? t('foundedYes') : t('foundedNo')}</td>
                <td>{formatTime(c.receivedAt, lang)}</td>
                <td>{c.how === 'trigger' ? t('howTrigger') : t('howLater')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </article>
  );
}
