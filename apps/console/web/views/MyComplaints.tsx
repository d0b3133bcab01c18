import { qs, type ComplaintView, type Page } from '../api';
import type { User } from '../App';
import { formatTime, useI18n, useTaxonomy } from '../i18n';
import { followUpClock } from './FollowUp';
import { Badges, Countdown, Failure, nextDeadline, Priority, PRIORITY_RANK, useApi, useNow } from './shared';

const CLOSED = ['resolved', 'closed'];

/** Sorted by what breaches first; complaints without a running clock last. */
export function byBreach(a: ComplaintView, b: ComplaintView): number {
  const da = nextDeadline(a)?.deadline ?? '9999';
  const db = nextDeadline(b)?.deadline ?? '9999';
  return da.localeCompare(db) || b.receivedAt.localeCompare(a.receivedAt);
}

/** Riskiest first: the highest priority, then what breaches first, then the newest. */
export function byRisk(a: ComplaintView, b: ComplaintView): number {
  const pa = PRIORITY_RANK[a.classification?.priority ?? 'normal'] ?? 2;
  const pb = PRIORITY_RANK[b.classification?.priority ?? 'normal'] ?? 2;
  return pa - pb || byBreach(a, b);
}

export function ComplaintTable({
  items,
  caption,
  now,
  extra,
}: {
  items: ComplaintView[];
  caption: string;
  now: number;
  extra?: (c: ComplaintView) => React.ReactNode;
}) {
  const { t, lang } = useI18n();
  const taxonomy = useTaxonomy();
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('complaints')}</th>
          <th scope="col">{t('channel')}</th>
          <th scope="col">{t('priority')}</th>
          <th scope="col">{t('category')}</th>
          <th scope="col">{t('status')}</th>
          <th scope="col">{t('owner')}</th>
          <th scope="col">{t('deadline')}</th>
          <th scope="col">{t('received')}</th>
          {extra && <th scope="col">{t('actions')}</th>}
        </tr>
      </thead>
      <tbody>
        {items.map((c) => (
          <tr key={c.id} data-complaint={c.id}>
            <td>
              <a href={`#/complaint/${c.id}`}>{c.reference}</a> <Badges complaint={c} />
              <div className="snippet">
                {c.subject && <strong>{c.subject} — </strong>}
                {c.text.slice(0, 120)}
              </div>
            </td>
            <td>{taxonomy.channel(c.channel)}</td>
            <td>
              <Priority value={c.classification?.priority} />
            </td>
            <td>{taxonomy.category(c.classification?.category)}</td>
            <td>{taxonomy.status(c.status)}</td>
            <td>{c.owner?.name ?? t('queued')}</td>
            <td>
              <Countdown deadline={nextDeadline(c)} now={now} />
            </td>
            <td>{formatTime(c.receivedAt, lang)}</td>
            {extra && <td>{extra(c)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Complaints whose follow-up (after a low CSAT) I own, by the follow-up clock. */
function FollowUpTable({ items, now }: { items: ComplaintView[]; now: number }) {
  const { t, lang } = useI18n();
  const taxonomy = useTaxonomy();
  const byClock = [...items].sort((a, b) =>
    (followUpClock(a)?.deadline ?? '9999').localeCompare(followUpClock(b)?.deadline ?? '9999'),
  );
  return (
    <table>
      <caption>{`${t('myFollowUps')} (${items.length})`}</caption>
      <thead>
        <tr>
          <th scope="col">{t('complaints')}</th>
          <th scope="col">CSAT</th>
          <th scope="col">{t('reason')}</th>
          <th scope="col">{t('status')}</th>
          <th scope="col">{t('owner')}</th>
          <th scope="col">{t('followUpDue')}</th>
          <th scope="col">{t('received')}</th>
        </tr>
      </thead>
      <tbody>
        {byClock.map((c) => {
          const f = c.followUps.find((x) => x.status === 'open');
          return (
            <tr key={c.id} data-follow-up={c.id}>
              <td>
                <a href={`#/complaint/${c.id}`}>{c.reference}</a>
                <div className="snippet">{c.text.slice(0, 90)}</div>
              </td>
              <td>
                {f?.csatScore ?? '—'}
                {f?.stillOpen ? ` (${t('stillOpen')})` : ''}
              </td>
              <td className="snippet">{f?.reason ?? '—'}</td>
              <td>{taxonomy.status(c.status)}</td>
              <td>{c.owner?.name ?? t('queued')}</td>
              <td>
                <Countdown deadline={followUpClock(c)} now={now} />
              </td>
              <td>{formatTime(c.receivedAt, lang)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function MyComplaints({ user }: { user: User }) {
  const { t } = useI18n();
  const now = useNow();
  const list = useApi<Page<ComplaintView>>(
    user.memberId ? `/api/complaints?${qs({ ownerId: user.memberId, pageSize: 200 })}` : null,
  );
  const followUps = useApi<Page<ComplaintView>>(
    user.memberId ? `/api/complaints?${qs({ followUpOwnerId: user.memberId, pageSize: 200 })}` : null,
  );
  if (!user.memberId) return <p className="muted">{t('nothing')}</p>;
  const items = (list.data?.items ?? []).filter((c) => !CLOSED.includes(c.status)).sort(byRisk);
  const mineToFollowUp = followUps.data?.items ?? [];
  return (
    <>
      {list.error && <Failure error={list.error} />}
      {list.loading && !list.data ? (
        <p>{t('loading')}</p>
      ) : items.length ? (
        <ComplaintTable items={items} caption={`${t('navMine')} (${items.length})`} now={now} />
      ) : (
        <p className="muted">{t('nothing')}</p>
      )}
      {mineToFollowUp.length > 0 && (
        <section aria-labelledby="m-follow-ups">
          <h2 id="m-follow-ups">{t('myFollowUps')}</h2>
          <FollowUpTable items={mineToFollowUp} now={now} />
        </section>
      )}
    </>
  );
}
