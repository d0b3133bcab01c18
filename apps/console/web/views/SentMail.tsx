import type { SentMail as SentMailAnswer } from '../api';
import { formatTime, useI18n } from '../i18n';
import { Failure, useApi } from './shared';

/** The demo's outbox: mail the mail catcher kept (no SMTP configured) and X replies not posted (no X credentials). */
export function SentMail() {
  const { t, lang } = useI18n();
  const sent = useApi<SentMailAnswer>('/api/sent-mail');
  if (sent.error && !sent.data) return <Failure error={sent.error} />;
  if (!sent.data) return <p>{t('loading')}</p>;
  return (
    <section aria-labelledby="sent-title">
      <h2 id="sent-title">{t('navSent')}</h2>
      <p className="muted">{t('sentMailHint')}</p>
      {sent.data.items.length === 0 ? (
        <p>{t('nothing')}</p>
      ) : (
        <ol className="thread">
          {sent.data.items.map((m) => (
            <li key={m.id} className="bubble outbound" data-testid="sent-mail">
              <div className="meta">
                {m.sentAt ? <time dateTime={m.sentAt}>{formatTime(m.sentAt, lang)}</time> : '—'} ·{' '}
                {m.transport === 'x-not-posted' ? t('notPosted') : `${t('to')} ${m.recipient ?? '—'}`} ·{' '}
                <a href={`#/complaint/${m.complaintId}`}>{m.complaintId}</a>
              </div>
              {m.channel === 'email' && <div className="subject">{m.subject}</div>}
              <p className="text">{m.text}</p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
