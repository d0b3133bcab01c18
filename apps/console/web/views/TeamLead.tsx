import { useState } from 'react';
import { qs, type ComplaintView, type MemberView, type Page, type TeamView } from '../api';
import type { User } from '../App';
import { useI18n } from '../i18n';
import { useLive } from '../live';
import { LEADS, ReassignForm } from './ComplaintDetail';
import { ComplaintTable, byBreach } from './MyComplaints';
import { Failure, nextDeadline, useApi, useNow } from './shared';

const CLOSED = ['resolved', 'closed', 'erased', 'signal'];

export function TeamLead({ user }: { user: User }) {
  const { t } = useI18n();
  const now = useNow();
  const live = useLive();
  const [message, setMessage] = useState<string | null>(null);
  const all = useApi<Page<ComplaintView>>(`/api/complaints?${qs({ pageSize: 200 })}`);
  const escalated = useApi<Page<ComplaintView>>(
    `/api/complaints?${qs({ escalated: 'true', pageSize: 100 })}`,
  );
  const teams = useApi<{ items: TeamView[] }>('/api/teams');
  const members = useApi<{ items: MemberView[] }>('/api/members');
  const mine = new Set(user.teamIds);
  const seesAll = user.role === 'executive' || user.role === 'admin';
  const myTeams = (teams.data?.items ?? []).filter((tm) => seesAll || mine.has(tm.id));
  const open = (all.data?.items ?? []).filter((c) => !CLOSED.includes(c.status));
  const liveIds = new Set(live.recent.map((e) => e.complaintId).filter(Boolean));
  const incoming = [...open].sort((a, b) => b.receivedAt.localeCompare(a.receivedAt)).slice(0, 20);
  const atRisk = open
    .filter((c) => {
      const d = nextDeadline(c);
      return d && (d.status === 'breached' || (d.warnAt !== null && new Date(d.warnAt).getTime() <= now));
    })
    .sort(byBreach);
  const escalations = (escalated.data?.items ?? []).filter((c) => !CLOSED.includes(c.status));
  const reassign = (c: ComplaintView) =>
    c.owner && LEADS.includes(user.role ?? '') ? (
      <ReassignForm
        complaint={c}
        onDone={(m) => {
          setMessage(m);
          all.reload();
        }}
      />
    ) : null;
  return (
    <>
      <div role="status" aria-live="polite" className="sr-status">
        {message}
      </div>
      {all.error && <Failure error={all.error} />}
      <section aria-labelledby="t-incoming">
        <h2 id="t-incoming">{t('incoming')}</h2>
        <ComplaintTable
          items={incoming}
          caption={`${t('incoming')} (${incoming.length})`}
          now={now}
          extra={(c) => (
            <>
              {liveIds.has(c.id) && <span className="badge new">{t('newBadge')}</span>} {reassign(c)}
            </>
          )}
        />
      </section>
      <section aria-labelledby="t-esc">
        <h2 id="t-esc">{t('escalations')}</h2>
        {escalations.length ? (
          <ComplaintTable
            items={escalations}
            caption={`${t('escalations')} (${escalations.length})`}
            now={now}
            extra={reassign}
          />
        ) : (
          <p className="muted">{t('nothing')}</p>
        )}
      </section>
      <section aria-labelledby="t-risk">
        <h2 id="t-risk">{t('atRisk')}</h2>
        {atRisk.length ? (
          <ComplaintTable
            items={atRisk}
            caption={`${t('atRisk')} (${atRisk.length})`}
            now={now}
            extra={reassign}
          />
        ) : (
          <p className="muted">{t('nothing')}</p>
        )}
      </section>
      <section aria-labelledby="t-load">
        <h2 id="t-load">{t('load')}</h2>
        <p>
          {t('queued')}: {open.filter((c) => !c.owner).length}
        </p>
        <div className="teams">
          {myTeams.map((tm) => {
            const people = (members.data?.items ?? []).filter((m) => m.teamId === tm.id && m.active);
            return (
              <table key={tm.id}>
                <caption>
                  {tm.name} — {t('openCount')}: {open.filter((c) => c.owner?.teamId === tm.id).length}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">{t('member')}</th>
                    <th scope="col">{t('role')}</th>
                    <th scope="col">{t('openCount')}</th>
                    <th scope="col">{t('capacity')}</th>
                  </tr>
                </thead>
                <tbody>
                  {people.map((m) => (
                    <tr key={m.id}>
                      <td>{m.name}</td>
                      <td>{m.role}</td>
                      <td>
                        <meter
                          min={0}
                          max={m.capacity}
                          value={m.openCount}
                          aria-label={`${m.name} ${t('openCount')}`}
                        />{' '}
                        {m.openCount}
                      </td>
                      <td>{m.capacity}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            );
          })}
        </div>
      </section>
    </>
  );
}
