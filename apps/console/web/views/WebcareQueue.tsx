import { useState } from 'react';
import { api, ApiFailure, qs, type ComplaintView, type Page, type SignalView } from '../api';
import { formatTime, useI18n, useTaxonomy } from '../i18n';
import { evidenceWords, Failure, Highlighted, Priority, PRIORITY_RANK, useApi } from './shared';

interface SocialMeta {
  handle?: string;
  followers?: number;
  url?: string;
}
const socialOf = (meta: Record<string, unknown> | null | undefined): SocialMeta =>
  (meta?.social as SocialMeta | undefined) ?? (meta as SocialMeta | null) ?? {};

/** Riskiest first: priority, reputational risk, reach; then newest. */
function rank(a: ComplaintView, b: ComplaintView): number {
  const pa = PRIORITY_RANK[a.classification?.priority ?? 'normal'] ?? 2;
  const pb = PRIORITY_RANK[b.classification?.priority ?? 'normal'] ?? 2;
  if (pa !== pb) return pa - pb;
  const ra = a.classification?.reputationalRisk ? 1 : 0;
  const rb = b.classification?.reputationalRisk ? 1 : 0;
  if (ra !== rb) return rb - ra;
  // Reach by order of magnitude (10k and 12k followers weigh the same; then the newer wins).
  const fa = Math.floor(Math.log10((socialOf(a.channelMeta).followers ?? 0) + 1));
  const fb = Math.floor(Math.log10((socialOf(b.channelMeta).followers ?? 0) + 1));
  if (fa !== fb) return fb - fa;
  return b.receivedAt.localeCompare(a.receivedAt);
}

function Author({ meta, handle }: { meta: Record<string, unknown> | null; handle?: string }) {
  const { t } = useI18n();
  const s = socialOf(meta);
  return (
    <p className="author">
      <strong>@{s.handle ?? handle ?? '?'}</strong> · {t('reach')}: {(s.followers ?? 0).toLocaleString()}{' '}
      {t('followers')}
      {s.url && (
        <>
          {' '}
          ·{' '}
          <a href={s.url} target="_blank" rel="noreferrer noopener">
            {t('openPost')}
            <span className="sr-only"> (@{s.handle})</span>
          </a>
        </>
      )}
    </p>
  );
}

function ReplyDraft({ id, complaint, onSent }: { id: string; complaint: boolean; onSent(): void }) {
  const { t } = useI18n();
  const key = `klaxon.draft.${id}`;
  const [text, setText] = useState(() => localStorage.getItem(key) ?? '');
  const [note, setNote] = useState<string | null>(null);
  const send = async () => {
    try {
      await api(`/api/complaints/${id}/actions`, {
        method: 'POST',
        body: { action: 'reply', message: text },
      });
      localStorage.removeItem(key);
      setNote(t('done'));
      onSent();
    } catch (e) {
      setNote((e as Error).message);
    }
  };
  return (
    <details className="draft">
      <summary>{t('draftReply')}</summary>
      <label htmlFor={`draft-${id}`}>{t('message')}</label>
      <textarea
        id={`draft-${id}`}
        value={text}
        maxLength={280}
        rows={3}
        onChange={(e) => setText(e.target.value)}
        aria-describedby={`draft-${id}-left`}
      />
      <p id={`draft-${id}-left`} className="muted">
        {280 - text.length} {t('charsLeft')}
      </p>
      <button
        type="button"
        className="secondary"
        onClick={() => (localStorage.setItem(key, text), setNote(t('draftSaved')))}
      >
        {t('saveDraft')}
      </button>{' '}
      {complaint && (
        <button type="button" disabled={!text.trim()} onClick={send}>
          {t('sendReply')}
        </button>
      )}
      {note && <span role="status"> {note}</span>}
    </details>
  );
}

export function WebcareQueue() {
  const { t, lang } = useI18n();
  const taxonomy = useTaxonomy();
  const complaints = useApi<Page<ComplaintView>>(
    `/api/complaints?${qs({ channel: 'social', pageSize: 100 })}`,
  );
  const signals = useApi<Page<SignalView>>(`/api/signals?${qs({ channel: 'social', pageSize: 100 })}`);
  const [message, setMessage] = useState<string | null>(null);

  const act = async (path: string, body: unknown, done: string) => {
    try {
      await api(path, { method: 'POST', body });
      setMessage(done);
      signals.reload();
      complaints.reload();
    } catch (e) {
      setMessage(e instanceof ApiFailure ? e.message : t('error'));
    }
  };

  const open = (complaints.data?.items ?? [])
    .filter((c) => c.classification?.complaint !== 'none' && !['resolved', 'closed'].includes(c.status))
    .sort(rank);
  return (
    <>
      <div role="status" aria-live="polite" className="sr-status">
        {message}
      </div>
      <section aria-labelledby="q-complaints">
        <h2 id="q-complaints">
          {t('complaints')} ({open.length})
        </h2>
        {complaints.error && <Failure error={complaints.error} />}
        {!open.length && !complaints.loading && <p className="muted">{t('nothing')}</p>}
        <ul className="cards">
          {open.map((c) => (
            <li key={c.id} className="card" data-testid="queue-complaint">
              <Author meta={c.channelMeta} handle={(c.customer as { handle?: string }).handle} />
              <p className="post">
                <Highlighted text={c.text} words={evidenceWords(c.classification?.why ?? [])} />
              </p>
              <p className="meta">
                <span className={`badge c-${c.classification?.complaint}`}>
                  {taxonomy.label(c.classification?.complaint ?? 'none')}
                </span>{' '}
                <Priority value={c.classification?.priority} />{' '}
                {taxonomy.category(c.classification?.category)} · {formatTime(c.receivedAt, lang)} ·{' '}
                {c.owner?.name ?? '—'} ·{' '}
                <a href={`#/complaint/${c.id}`}>
                  {t('open')}
                  <span className="sr-only"> {c.reference}</span>
                </a>
              </p>
              <ReplyDraft id={c.id} complaint onSent={complaints.reload} />
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="q-signals">
        <h2 id="q-signals">
          {t('signals')} ({signals.data?.total ?? 0})
        </h2>
        {signals.error && <Failure error={signals.error} />}
        <ul className="cards">
          {(signals.data?.items ?? []).map((s) => (
            <li key={s.id} className="card" data-testid="queue-signal">
              <Author meta={s.channelMeta} handle={s.customer.handle} />
              <p className="post">
                <Highlighted text={s.text} words={evidenceWords(s.why)} />
              </p>
              <p className="meta">
                <span className="badge c-none">{taxonomy.label('none')}</span> {taxonomy.category(s.category)}{' '}
                · {formatTime(s.receivedAt, lang)}
              </p>
              <div className="row">
                <button
                  type="button"
                  onClick={() =>
                    act(`/api/signals/${s.id}/promote`, { label: 'latent' }, `${t('promote')}: ${t('done')}`)
                  }
                >
                  {t('promote')} ({taxonomy.label('latent')})
                  <span className="sr-only"> @{s.customer.handle}</span>
                </button>
                <button
                  type="button"
                  className="secondary"
                  onClick={() =>
                    act(
                      `/api/signals/${s.id}/promote`,
                      { label: 'explicit' },
                      `${t('promote')}: ${t('done')}`,
                    )
                  }
                >
                  {t('promote')} ({taxonomy.label('explicit')})
                  <span className="sr-only"> @{s.customer.handle}</span>
                </button>
                <button
                  type="button"
                  className="secondary"
                  onClick={() => act(`/api/signals/${s.id}/dismiss`, {}, `${t('dismiss')}: ${t('done')}`)}
                >
                  {t('dismiss')}
                  <span className="sr-only"> @{s.customer.handle}</span>
                </button>
              </div>
              <ReplyDraft id={s.id} complaint={false} onSent={() => undefined} />
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
