import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, qs, type ComplaintView, type Page } from '../api';
import { useI18n, useTaxonomy } from '../i18n';
import { ComplaintTable } from './MyComplaints';
import { Failure, useNow } from './shared';

const PAGE_SIZE = 50;
type Filters = Record<string, string | undefined>;

/**
 * Search and filter every complaint the person may see: words of the text (Dutch or English stemming),
 * a KLX reference, an e-mail address or a phone number, with filters and a sort; "More" pages on
 * without a cap. `/` anywhere in the console jumps here (see App).
 */
export function Search({ initial }: { initial?: string }) {
  const { t } = useI18n();
  const taxonomy = useTaxonomy();
  const now = useNow();
  const input = useRef<HTMLInputElement>(null);
  const [filters, setFilters] = useState<Filters | null>(initial ? { q: initial, sort: 'risk' } : null);
  const [items, setItems] = useState<ComplaintView[]>([]);
  const [total, setTotal] = useState(0);
  const [page, setPage] = useState(1);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => input.current?.focus(), []);
  useEffect(() => {
    if (!filters) return;
    let cancelled = false;
    setBusy(true);
    api<Page<ComplaintView>>(`/api/complaints?${qs({ ...filters, page, pageSize: PAGE_SIZE })}`).then(
      (res) => {
        if (cancelled) return;
        setItems((prev) => (page === 1 ? res.items : [...prev, ...res.items]));
        setTotal(res.total);
        setError(null);
        setBusy(false);
      },
      (err: Error) => {
        if (cancelled) return;
        setError(err);
        setBusy(false);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [filters, page]);

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const value = (name: string) => {
      const v = String(form.get(name) ?? '').trim();
      return v ? v : undefined;
    };
    setPage(1);
    setFilters({
      q: value('q'),
      status: value('status'),
      priority: value('priority'),
      category: value('category'),
      channel: value('channel'),
      atRisk: form.get('atRisk') ? 'true' : undefined,
      breached: form.get('breached') ? 'true' : undefined,
      sort: value('sort'),
    });
  };

  return (
    <>
      <form className="search" role="search" onSubmit={submit}>
        <label htmlFor="search-q">{t('searchLabel')}</label>
        <input
          id="search-q"
          ref={input}
          name="q"
          type="search"
          defaultValue={initial}
          placeholder={t('searchPlaceholder')}
          maxLength={200}
        />
        <FilterSelect
          name="priority"
          label={t('priority')}
          any={t('any')}
          choices={taxonomy.priorityChoices}
        />
        <FilterSelect
          name="category"
          label={t('category')}
          any={t('any')}
          choices={taxonomy.categoryChoices}
        />
        <FilterSelect
          name="channel"
          label={t('channel')}
          any={t('any')}
          choices={['web', 'phone', 'email', 'social'].map((value) => ({
            value,
            label: taxonomy.channel(value),
          }))}
        />
        <label>
          <input type="checkbox" name="atRisk" /> {t('atRisk')}
        </label>
        <label>
          <input type="checkbox" name="breached" /> {t('breachedFilter')}
        </label>
        <label htmlFor="search-sort">{t('sortBy')}</label>
        <select id="search-sort" name="sort" defaultValue="risk">
          <option value="risk">{t('sortRisk')}</option>
          <option value="newest">{t('sortNewest')}</option>
          <option value="oldest">{t('sortOldest')}</option>
        </select>
        <button type="submit" disabled={busy}>
          {t('search')}
        </button>
      </form>
      {error && <Failure error={error} />}
      {filters && !error && (
        <section aria-live="polite">
          {items.length ? (
            <ComplaintTable
              items={items}
              caption={`${t('searchResults')} (${items.length} / ${total})`}
              now={now}
            />
          ) : (
            !busy && <p className="muted">{t('noResults')}</p>
          )}
          {items.length < total && (
            <button type="button" className="secondary" disabled={busy} onClick={() => setPage((p) => p + 1)}>
              {t('more')}
            </button>
          )}
        </section>
      )}
    </>
  );
}

/** One filter: a labelled select of the given choices, "any" first (no filter). */
function FilterSelect(props: {
  name: string;
  label: string;
  any: string;
  choices: Array<{ value: string; label: string }>;
}) {
  return (
    <>
      <label htmlFor={`search-${props.name}`}>{props.label}</label>
      <select id={`search-${props.name}`} name={props.name} defaultValue="">
        <option value="">{props.any}</option>
        {props.choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </>
  );
}
