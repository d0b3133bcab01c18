import { useState } from 'react';
import { api, ApiFailure, type CustomerView as Customer } from '../api';
import { formatTime, useI18n, useTaxonomy } from '../i18n';
import { Failure, useApi } from './shared';

export function CustomerView({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const taxonomy = useTaxonomy();
  const c = useApi<Customer>(`/api/customers/${encodeURIComponent(id)}`);
  const [message, setMessage] = useState<string | null>(null);
  if (c.error && !c.data) return <Failure error={c.error} />;
  if (!c.data) return <p>{t('loading')}</p>;
  const undo = async (linkId: string) => {
    try {
      await api(`/api/customers/${encodeURIComponent(id)}/links/${encodeURIComponent(linkId)}`, {
        method: 'DELETE',
      });
      setMessage(`${t('undoLink')}: ${t('done')}`);
      c.reload();
    } catch (e) {
      setMessage(e instanceof ApiFailure ? e.message : t('error'));
    }
  };
  return (
    <>
      <p>
        {t('customerId')}: <code>{c.data.id}</code>
      </p>
      <div role="status" aria-live="polite">
        {message}
      </div>
      <section aria-labelledby="c-complaints">
        <h2 id="c-complaints">{t('complaints')}</h2>
        <table>
          <caption className="sr-only">{t('complaints')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('complaints')}</th>
              <th scope="col">{t('channel')}</th>
              <th scope="col">{t('category')}</th>
              <th scope="col">{t('status')}</th>
              <th scope="col">{t('received')}</th>
            </tr>
          </thead>
          <tbody>
            {c.data.complaints.map((x) => (
              <tr key={x.id}>
                <td>
                  <a href={`#/complaint/${x.id}`}>{x.id}</a>
                </td>
                <td>{x.channel}</td>
                <td>{taxonomy.category(x.category)}</td>
                <td>{x.status}</td>
                <td>{formatTime(x.receivedAt, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="c-ids">
        <h2 id="c-ids">{t('identities')}</h2>
        <ul className="plain">
          {c.data.identities.map((i) => (
            <li key={`${i.kind}:${i.value}`}>
              <strong>{i.kind}</strong>: {i.value}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="c-links">
        <h2 id="c-links">{t('links')}</h2>
        <table>
          <caption className="sr-only">{t('links')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('evidence')}</th>
              <th scope="col">{t('complaints')}</th>
              <th scope="col">{t('received')}</th>
              <th scope="col">{t('actions')}</th>
            </tr>
          </thead>
          <tbody>
            {c.data.links.map((l) => (
              <tr key={l.id}>
                <td>
                  {l.kind}: {l.value}
                </td>
                <td>
                  <a href={`#/complaint/${l.complaintId}`}>{l.complaintId}</a>
                </td>
                <td>{formatTime(l.createdAt, lang)}</td>
                <td>
                  {l.undoneAt ? (
                    <span className="muted">{t('undone')}</span>
                  ) : (
                    <button type="button" className="secondary" onClick={() => undo(l.id)}>
                      {t('undoLink')}
                      <span className="sr-only">
                        {' '}
                        {l.kind}: {l.value}
                      </span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
