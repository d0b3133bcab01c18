import { useState, type FormEvent } from 'react';
import { api, ApiFailure, type ComplaintView, type ThreadMessage } from '../api';
import { formatTime, useI18n, type Lang } from '../i18n';
import { useApi } from './shared';

const X_POST_LIMIT = 280;
const BEFORE_HANDLING = ['received', 'classified', 'queued', 'assigned'];

/** The acknowledgement template, in the complaint's language (Dutch unless it is English); the handler edits it before sending. */
export function acknowledgementTemplate(
  c: Pick<ComplaintView, 'reference' | 'classification' | 'customer'>,
  owner: string,
): string {
  const name = (c.customer as { name?: string }).name?.trim();
  if (c.classification?.language?.startsWith('en'))
    return [
      `Dear ${name || 'customer'},`,
      '',
      `Thank you for your message. We have registered your complaint under reference ${c.reference}.`,
      `${owner} is handling it and will get back to you as soon as possible.`,
      `Please quote ${c.reference} in any reply.`,
      '',
      'Kind regards,',
      'Customer service',
    ].join('\n');
  return [
    `Beste ${name || 'klant'},`,
    '',
    `Dank u wel voor uw bericht. Wij hebben uw klacht ontvangen onder referentie ${c.reference}.`,
    `${owner} behandelt uw klacht en neemt zo snel mogelijk contact met u op.`,
    `Noem bij vragen altijd uw referentie ${c.reference}.`,
    '',
    'Met vriendelijke groet,',
    'Klantenservice',
  ].join('\n');
}

function DeliveryBadge({ m }: { m: ThreadMessage }) {
  const { t } = useI18n();
  if (!m.delivery) return null;
  const d = m.delivery;
  const label = {
    queued: t('stateQueued'),
    sent: t('stateSent'),
    delivered: t('stateDelivered'),
    failed: t('stateFailed'),
    manual: t('stateManual'),
  }[d.state];
  const how =
    d.transport === 'mail-catcher'
      ? t('viaMailCatcher')
      : d.transport === 'x-not-posted'
        ? t('notPosted')
        : d.transport === 'x'
          ? d.mode === 'dm'
            ? 'X DM'
            : 'X'
          : d.transport === 'smtp'
            ? 'e-mail'
            : null;
  return (
    <span className={`badge d-${d.state}`} data-testid="delivery" data-state={d.state}>
      {label}
      {how ? ` · ${how}` : ''}
      {d.reason ? ` — ${d.reason}` : ''}
    </span>
  );
}

function Bubble({ m, lang }: { m: ThreadMessage; lang: Lang }) {
  const { t } = useI18n();
  const kind = {
    complaint: t('kindComplaint'),
    'customer-message': t('kindCustomerMessage'),
    acknowledgement: t('kindAcknowledgement'),
    reply: t('kindReply'),
    'csat-request': t('kindCsat'),
    'incident-notice': t('kindNotice'),
    note: t('kindNote'),
  }[m.kind];
  return (
    <li className={`bubble ${m.direction}`} data-kind={m.kind}>
      <div className="meta">
        <strong>{m.author}</strong> · {kind} · {m.channel} ·{' '}
        <time dateTime={m.at}>{formatTime(m.at, lang)}</time>
        {m.direction === 'internal' && <span className="badge internal"> {t('internalOnly')}</span>}
      </div>
      {m.subject && <div className="subject">{m.subject}</div>}
      <p className="text">{m.text}</p>
      <DeliveryBadge m={m} />
    </li>
  );
}

/** The whole conversation with the customer, newest at the bottom, and what a handler says next: reply, acknowledge, note. */
export function Conversation({
  complaint,
  ownerName,
  onDone,
}: {
  complaint: ComplaintView;
  ownerName: string;
  onDone(msg: string, ok: boolean): void;
}) {
  const { t, lang } = useI18n();
  const thread = useApi<{ items: ThreadMessage[] }>(
    `/api/complaints/${encodeURIComponent(complaint.id)}/messages`,
  );
  const onX = complaint.channel === 'social';
  const [reply, setReply] = useState('');
  const [mode, setMode] = useState<'public' | 'dm'>('public');
  const [ack, setAck] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const limit = onX && mode === 'public' ? X_POST_LIMIT : null;
  const send = async (label: string, path: string, body: unknown, reset: () => void) => {
    try {
      await api(path, { method: 'POST', body });
      reset();
      thread.reload();
      onDone(label, true);
    } catch (err) {
      onDone(err instanceof ApiFailure ? `${label}: ${err.message}` : label, false);
    }
  };
  const submitReply = (e: FormEvent) => {
    e.preventDefault();
    void send(
      t('reply'),
      `/api/complaints/${complaint.id}/actions`,
      { action: 'reply', message: reply.trim(), ...(onX ? { mode } : {}) },
      () => setReply(''),
    );
  };
  const canAcknowledge = BEFORE_HANDLING.includes(complaint.status);
  return (
    <section aria-labelledby="d-thread" className="conversation">
      <h3 id="d-thread">{t('conversation')}</h3>
      {!thread.data ? (
        <p>{t('loading')}</p>
      ) : (
        <ol className="thread" aria-label={t('conversation')}>
          {thread.data.items.map((m) => (
            <Bubble key={m.id} m={m} lang={lang} />
          ))}
        </ol>
      )}
      {canAcknowledge && (
        <div className="acknowledge">
          {ack === null ? (
            <button type="button" onClick={() => setAck(acknowledgementTemplate(complaint, ownerName))}>
              {t('acknowledge')}
            </button>
          ) : (
            <form
              aria-label={t('acknowledge')}
              onSubmit={(e) => {
                e.preventDefault();
                void send(
                  t('acknowledge'),
                  `/api/complaints/${complaint.id}/actions`,
                  { action: 'acknowledge', message: ack.trim() },
                  () => setAck(null),
                );
              }}
            >
              <label htmlFor="ack-text">{t('acknowledgementText')}</label>
              <textarea
                id="ack-text"
                rows={8}
                value={ack}
                onChange={(e) => setAck(e.target.value)}
                required
              />
              <button type="submit">{t('sendAcknowledgement')}</button>{' '}
              <button type="button" className="secondary" onClick={() => setAck(null)}>
                {t('cancel')}
              </button>
            </form>
          )}
        </div>
      )}
      <form aria-label={t('reply')} onSubmit={submitReply} className="reply">
        <label htmlFor="reply-text">{t('message')}</label>
        {onX && (
          <fieldset className="inline">
            <legend className="sr-only">{t('replyHow')}</legend>
            <label className="check">
              <input
                type="radio"
                name="mode"
                checked={mode === 'public'}
                onChange={() => setMode('public')}
              />{' '}
              {t('publicReply')}
            </label>{' '}
            <label className="check">
              <input type="radio" name="mode" checked={mode === 'dm'} onChange={() => setMode('dm')} />{' '}
              {t('directMessage')}
            </label>
          </fieldset>
        )}
        <textarea
          id="reply-text"
          rows={4}
          value={reply}
          onChange={(e) => setReply(e.target.value)}
          aria-describedby={limit ? 'reply-left' : undefined}
          required
        />
        {limit && (
          <div id="reply-left" className={[...reply].length > limit ? 'error' : 'muted'} aria-live="polite">
            {limit - [...reply].length} {t('charsLeft')}
          </div>
        )}
        <button type="submit" disabled={limit !== null && [...reply].length > limit}>
          {t('sendReply')}
        </button>
      </form>
      <form
        aria-label={t('addNote')}
        className="note"
        onSubmit={(e) => {
          e.preventDefault();
          void send(t('addNote'), `/api/complaints/${complaint.id}/notes`, { text: note.trim() }, () =>
            setNote(''),
          );
        }}
      >
        <label htmlFor="note-text">
          {t('addNote')} <span className="muted">({t('internalOnly')})</span>
        </label>
        <textarea id="note-text" rows={2} value={note} onChange={(e) => setNote(e.target.value)} required />
        <button type="submit" className="secondary">
          {t('addNote')}
        </button>
      </form>
    </section>
  );
}
