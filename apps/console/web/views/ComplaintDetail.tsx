import { useState, type FormEvent } from 'react';
import { api, ApiFailure, type CaseCommand, type ComplaintView, type MemberView } from '../api';
import type { User } from '../App';
import { formatTime, useI18n, useTaxonomy } from '../i18n';
import { Conversation } from './Conversation';
import { FollowUpPanel } from './FollowUp';
import { Countdown, evidenceWords, Failure, Highlighted, Priority, useApi, useNow } from './shared';

const LEADS = ['team-lead', 'admin'];

export function ReassignForm({
  complaint,
  onDone,
}: {
  complaint: Pick<ComplaintView, 'id' | 'reference' | 'owner'>;
  onDone(msg: string): void;
}) {
  const { t } = useI18n();
  const members = useApi<{ items: MemberView[] }>(
    complaint.owner ? `/api/members?teamId=${encodeURIComponent(complaint.owner.teamId)}` : '/api/members',
    { live: false },
  );
  const [to, setTo] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api(`/api/complaints/${complaint.id}/reassign`, {
        method: 'POST',
        body: { reason: 'manual', ...(to ? { memberId: to } : {}) },
      });
      onDone(`${t('reassign')} ${complaint.reference}: ${t('done')}`);
    } catch (err) {
      onDone(err instanceof ApiFailure ? err.message : t('error'));
    }
  };
  return (
    <form className="inline" onSubmit={submit}>
      <label htmlFor={`to-${complaint.id}`} className="sr-only">
        {t('reassignTo')} ({complaint.reference})
      </label>
      <select id={`to-${complaint.id}`} value={to} onChange={(e) => setTo(e.target.value)}>
        <option value="">{t('leastLoaded')}</option>
        {(members.data?.items ?? [])
          .filter((m) => m.active && m.id !== complaint.owner?.id)
          .map((m) => (
            <option key={m.id} value={m.id}>
              {m.name} ({m.openCount}/{m.capacity})
            </option>
          ))}
      </select>{' '}
      <button type="submit">
        {t('reassign')}
        <span className="sr-only"> {complaint.reference}</span>
      </button>
    </form>
  );
}

function ActionForm({
  id,
  label,
  fields,
  build,
  onDone,
}: {
  id: string;
  label: string;
  fields: Array<{
    name: string;
    label: string;
    kind: 'text' | 'area' | 'check' | 'select';
    /** For a select: the values sent and what people read for them. */
    options?: Array<{ value: string; label: string }>;
    required?: boolean;
  }>;
  build(form: FormData): CaseCommand;
  onDone(msg: string, ok: boolean): void;
}) {
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    try {
      await api(`/api/complaints/${id}/actions`, { method: 'POST', body: build(new FormData(form)) });
      form.reset();
      onDone(label, true);
    } catch (err) {
      onDone(err instanceof ApiFailure ? `${label}: ${err.message}` : label, false);
    }
  };
  const slug = label.toLowerCase().replace(/[^a-z]+/g, '-');
  return (
    <form className="action" onSubmit={submit} aria-label={label}>
      <fieldset>
        <legend>{label}</legend>
        {fields.map((f) => {
          const fid = `${slug}-${f.name}`;
          if (f.kind === 'check')
            return (
              <label key={f.name} className="check" htmlFor={fid}>
                <input id={fid} name={f.name} type="checkbox" /> {f.label}
              </label>
            );
          return (
            <div key={f.name}>
              <label htmlFor={fid}>{f.label}</label>
              {f.kind === 'area' ? (
                <textarea id={fid} name={f.name} rows={3} required={f.required} />
              ) : f.kind === 'select' ? (
                <select id={fid} name={f.name}>
                  <option value="">—</option>
                  {f.options!.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              ) : (
                <input id={fid} name={f.name} required={f.required} />
              )}
            </div>
          );
        })}
        <button type="submit">{label}</button>
      </fieldset>
    </form>
  );
}

const str = (f: FormData, k: string) => String(f.get(k) ?? '').trim();

/** The router's recorded reason in words: the rule and why this member (the candidates stay in the history). */
function reasonText(reason: unknown): string {
  if (typeof reason === 'string') return reason;
  const r = reason as { rule?: string; chosenBecause?: string; cause?: string; note?: string };
  return (
    [r.chosenBecause ?? r.cause, r.rule && `(${r.rule})`, r.note].filter(Boolean).join(' ') ||
    JSON.stringify(reason)
  );
}

export function ComplaintDetail({ id, user }: { id: string; user: User }) {
  const { t, lang } = useI18n();
  const taxonomy = useTaxonomy();
  const now = useNow();
  const c = useApi<ComplaintView>(`/api/complaints/${encodeURIComponent(id)}`);
  const [message, setMessage] = useState<{ text: string; ok: boolean } | null>(null);
  const done = (text: string, ok = true) => {
    setMessage({ text: ok ? `${text}: ${t('done')}` : text, ok });
    c.reload();
  };
  if (c.error && !c.data) return <Failure error={c.error} />;
  if (!c.data) return <p>{t('loading')}</p>;
  const v = c.data;
  const cls = v.classification;
  const social = (v.channelMeta?.social ?? null) as {
    handle?: string;
    followers?: number;
    url?: string;
  } | null;
  return (
    <article className="detail" aria-labelledby="complaint-title">
      <h2 id="complaint-title">
        {v.reference} · {v.subject ?? v.channel}
      </h2>
      <div role="status" aria-live="polite" className={message && !message.ok ? 'error' : 'ok'}>
        {message?.text}
      </div>
      <div className="grid">
        <section aria-labelledby="d-text">
          <h3 id="d-text">{t('message')}</h3>
          <p className="post">
            <Highlighted text={v.text} words={evidenceWords(cls?.why ?? [])} />
          </p>
          <dl>
            <dt>{t('status')}</dt>
            <dd data-testid="status">{v.status}</dd>
            <dt>{t('channel')}</dt>
            <dd>
              {v.channel}
              {social?.url && (
                <>
                  {' '}
                  · @{social.handle} · {social.followers?.toLocaleString()} {t('followers')} ·{' '}
                  <a href={social.url} target="_blank" rel="noreferrer noopener">
                    {t('openPost')}
                  </a>
                </>
              )}
            </dd>
            <dt>{t('customer')}</dt>
            <dd>
              {Object.entries(v.customer)
                .map(([k, val]) => `${k}: ${String(val)}`)
                .join(' · ') || '—'}
              {v.customerId && (
                <>
                  {' '}
                  · <a href={`#/customer/${v.customerId}`}>{t('viewCustomer')}</a>
                </>
              )}
            </dd>
            <dt>{t('received')}</dt>
            <dd>{formatTime(v.receivedAt, lang)}</dd>
            {cls && (
              <>
                <dt>{t('complaintLabel')}</dt>
                <dd>
                  {taxonomy.label(cls.complaint)} ({Math.round(cls.complaintProbability * 100)}%) ·{' '}
                  <Priority value={cls.priority} /> · {taxonomy.category(cls.category)}
                  {cls.reputationalRisk ? ' · ⚠ reputational risk' : ''}
                </dd>
                <dt>{t('why')}</dt>
                <dd>{cls.why.join(', ') || '—'}</dd>
              </>
            )}
            <dt>{t('owner')}</dt>
            <dd>
              {v.owner ? `${v.owner.name} (${v.owner.teamId})` : t('queued')}
              {v.owner?.reason ? (
                <div className="muted">
                  {t('assignmentReason')}: {reasonText(v.owner.reason)}
                </div>
              ) : null}
            </dd>
          </dl>
          <h3>{t('clocks')}</h3>
          <ul className="plain">
            {v.deadlines.map((d) => (
              <li key={d.clock}>
                {d.status === 'met' || d.status === 'paused' || d.status === 'stopped' ? (
                  <span className="clock">
                    {d.clock}: {d.status}
                  </span>
                ) : (
                  <Countdown deadline={d} now={now} />
                )}
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="d-actions">
          <FollowUpPanel complaint={v} user={user} now={now} onDone={done} />
          <h3 id="d-actions">{t('actions')}</h3>
          <ActionForm
            id={v.id}
            label={t('resolve')}
            fields={[
              { name: 'resolution', label: t('resolution'), kind: 'area', required: true },
              { name: 'founded', label: t('founded'), kind: 'check' },
            ]}
            build={(f) => ({
              action: 'resolve',
              resolution: str(f, 'resolution'),
              founded: f.get('founded') === 'on',
            })}
            onDone={done}
          />
          <details>
            <summary>
              {t('show')}: {t('waitOnCustomer')}, {t('reopen')}, {t('handBack')}, {t('correct')}
            </summary>
            <ActionForm
              id={v.id}
              label={t('waitOnCustomer')}
              fields={[{ name: 'message', label: t('message'), kind: 'area' }]}
              build={(f) => ({
                action: 'wait-on-customer',
                ...(str(f, 'message') ? { message: str(f, 'message') } : {}),
              })}
              onDone={done}
            />
            <ActionForm
              id={v.id}
              label={t('reopen')}
              fields={[{ name: 'reason', label: t('reason'), kind: 'text', required: true }]}
              build={(f) => ({ action: 'reopen', reason: str(f, 'reason') })}
              onDone={done}
            />
            <ActionForm
              id={v.id}
              label={t('handBack')}
              fields={[{ name: 'reason', label: t('reason'), kind: 'text', required: true }]}
              build={(f) => ({ action: 'hand-back', reason: str(f, 'reason') })}
              onDone={done}
            />
            <ActionForm
              id={v.id}
              label={t('correct')}
              fields={[
                {
                  name: 'complaint',
                  label: t('complaintLabel'),
                  kind: 'select',
                  options: taxonomy.labelChoices,
                },
                {
                  name: 'category',
                  label: t('category'),
                  kind: 'select',
                  options: taxonomy.categoryChoices,
                },
                {
                  name: 'priority',
                  label: t('priority'),
                  kind: 'select',
                  options: taxonomy.priorityChoices,
                },
                { name: 'reason', label: t('reason'), kind: 'text' },
              ]}
              build={(f) =>
                ({
                  action: 'correct',
                  ...(str(f, 'complaint') ? { complaint: str(f, 'complaint') } : {}),
                  ...(str(f, 'category') ? { category: str(f, 'category') } : {}),
                  ...(str(f, 'priority') ? { priority: str(f, 'priority') } : {}),
                  ...(str(f, 'reason') ? { reason: str(f, 'reason') } : {}),
                }) as CaseCommand
              }
              onDone={done}
            />
          </details>
          {LEADS.includes(user.role ?? '') && v.owner && (
            <fieldset>
              <legend>{t('reassign')}</legend>
              <ReassignForm complaint={v} onDone={(m) => done(m)} />
            </fieldset>
          )}
        </section>
      </div>
      <Conversation complaint={v} ownerName={v.owner?.name ?? user.name} onDone={done} />
      <section aria-labelledby="d-history">
        <h3 id="d-history">{t('history')}</h3>
        <ol className="history">
          {(v.history ?? []).map((h, i) => (
            <li key={i}>
              <time dateTime={h.at}>{formatTime(h.at, lang)}</time> <strong>{h.kind}</strong> · {h.actor}
              {h.reason ? ` — ${h.reason}` : ''}
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}
