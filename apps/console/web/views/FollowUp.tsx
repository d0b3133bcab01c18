import { useState, type FormEvent } from 'react';
import { api, ApiFailure, type ComplaintView } from '../api';
import type { User } from '../App';
import { formatTime, useI18n, type T } from '../i18n';
import { Countdown } from './shared';

type FollowUp = ComplaintView['followUps'][number];
const LEADS = ['team-lead', 'admin'];

export const outcomeLabel = (outcome: FollowUp['outcome'], t: T): string =>
  outcome === 'contacted'
    ? t('outcomeContacted')
    : outcome === 'remedy-offered'
      ? t('outcomeRemedy')
      : outcome === 'reopened'
        ? t('outcomeReopened')
        : '—';

/** The follow-up clock of a complaint (a low CSAT asked for it). */
export const followUpClock = (c: Pick<ComplaintView, 'deadlines'>) =>
  c.deadlines.find((d) => d.clock === 'csat-follow-up');

/**
 * The follow-ups of a complaint: who does it, why, its clock; the owner (or a lead) records the
 * outcome — contacted, a remedy offered, or reopened for the complaint's owner.
 */
export function FollowUpPanel({
  complaint,
  user,
  now,
  onDone,
}: {
  complaint: ComplaintView;
  user: User;
  now: number;
  onDone(text: string, ok: boolean): void;
}) {
  const { t, lang } = useI18n();
  const [outcome, setOutcome] = useState<NonNullable<FollowUp['outcome']>>('contacted');
  const [busy, setBusy] = useState(false);
  if (!complaint.followUps.length) return null;
  const open = complaint.followUps.find((f) => f.status === 'open');
  const mine = !!open && (open.owner?.id === user.memberId || LEADS.includes(user.role ?? ''));
  const reopenable = complaint.status === 'resolved' || complaint.status === 'closed';
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const note = String(new FormData(e.currentTarget).get('note') ?? '').trim();
    setBusy(true);
    try {
      await api(`/api/complaints/${complaint.id}/actions`, {
        method: 'POST',
        body: { action: 'follow-up', outcome, ...(note ? { note } : {}) },
      });
      onDone(t('recordOutcome'), true);
    } catch (err) {
      onDone(err instanceof ApiFailure ? `${t('recordOutcome')}: ${err.message}` : t('error'), false);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="d-follow-up" className="follow-up" data-testid="follow-up">
      <h3 id="d-follow-up">{t('followUp')}</h3>
      <ul className="plain">
        {complaint.followUps.map((f) => (
          <li key={f.id}>
            <strong>{f.status === 'open' ? t('open') : t('followUpDone')}</strong> · {t('followUpBy')}{' '}
            {f.owner ? `${f.owner.name} (${f.owner.role})` : t('noOwner')} · CSAT {f.csatScore ?? '—'}
            {f.stillOpen ? ` (${t('stillOpen')})` : ''} · {formatTime(f.openedAt, lang)}
            <div className="muted">
              {t('reason')}: {f.reason}
            </div>
            {f.status === 'completed' && (
              <div>
                {t('outcome')}: {outcomeLabel(f.outcome, t)}
                {f.note ? ` — ${f.note}` : ''}
                {f.completedAt ? ` (${formatTime(f.completedAt, lang)})` : ''}
              </div>
            )}
          </li>
        ))}
      </ul>
      {open && (
        <p>
          {t('followUpDue')}: <Countdown deadline={followUpClock(complaint)} now={now} />
        </p>
      )}
      {open && mine && (
        <form className="action" onSubmit={submit} aria-label={t('recordOutcome')}>
          <fieldset>
            <legend>{t('recordOutcome')}</legend>
            <fieldset>
              <legend>{t('outcome')}</legend>
              {(
                [
                  ['contacted', t('outcomeContacted')],
                  ['remedy-offered', t('outcomeRemedy')],
                  ...(reopenable ? [['reopened', t('outcomeReopened')]] : []),
                ] as Array<[NonNullable<FollowUp['outcome']>, string]>
              ).map(([value, label]) => (
                <label key={value} className="check">
                  <input
                    type="radio"
                    name="outcome"
                    value={value}
                    checked={outcome === value}
                    onChange={() => setOutcome(value)}
                  />{' '}
                  {label}
                </label>
              ))}
            </fieldset>
            <label htmlFor="follow-up-note">{t('note')}</label>
            <textarea id="follow-up-note" name="note" rows={3} />
            <button type="submit" disabled={busy}>
              {t('recordOutcome')}
            </button>
          </fieldset>
        </form>
      )}
      {open && !mine && <p className="muted">{t('onlyOwnerOrLead')}</p>}
    </section>
  );
}
