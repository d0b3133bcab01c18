import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, ApiFailure, setCsrfToken, type SessionView } from './api';
import { DICTIONARIES, I18n, initialLang, useI18n, type Lang } from './i18n';
import { Live, useLive, useLiveStream } from './live';
import { ComplaintDetail } from './views/ComplaintDetail';
import { CustomerView } from './views/Customer';
import { Kpis } from './views/Kpis';
import { MyComplaints } from './views/MyComplaints';
import { RootCauseDetail, RootCauses } from './views/RootCauses';
import { Search } from './views/Search';
import { SentMail } from './views/SentMail';
import { TeamLead } from './views/TeamLead';
import { WebcareQueue } from './views/WebcareQueue';

export type User = SessionView['user'];

/** `#/queue`, `#/mine`, `#/complaint/<id>`, `#/team`, `#/reviews`, `#/review/<id>`, `#/customer/<id>`, `#/kpis`, `#/sent` */
function useRoute(): string[] {
  const [hash, setHash] = useState(() => location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
}

const homeOf = (user: User) =>
  user.role === 'webcare-agent'
    ? 'queue'
    : user.role === 'team-lead' || user.role === 'executive' || user.role === 'admin'
      ? 'team'
      : 'mine';

export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((l: Lang) => {
    localStorage.setItem('klaxon.lang', l);
    setLangState(l);
  }, []);
  const i18n = useMemo(
    () => ({ lang, setLang, t: (k: keyof (typeof DICTIONARIES)['en']) => DICTIONARIES[lang][k] }),
    [lang, setLang],
  );
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const [user, setUser] = useState<User | null | undefined>(undefined);
  useEffect(() => {
    api<SessionView>('/api/session').then(
      (s) => {
        setCsrfToken(s.csrfToken);
        setUser(s.user);
      },
      () => setUser(null),
    );
  }, []);
  const live = useLiveStream(!!user);

  return (
    <I18n.Provider value={i18n}>
      <Live.Provider value={live}>
        {user === undefined ? (
          <p className="pad">{i18n.t('loading')}</p>
        ) : user === null ? (
          <Login onSignedIn={setUser} />
        ) : (
          <Shell user={user} onSignedOut={() => setUser(null)} />
        )}
      </Live.Provider>
    </I18n.Provider>
  );
}

function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <label className="lang">
      {t('language')}{' '}
      <select value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
        <option value="nl">Nederlands</option>
        <option value="en">English</option>
      </select>
    </label>
  );
}

function Login({ onSignedIn }: { onSignedIn(u: User): void }) {
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = `${t('signIn')} — ${t('appName')}`;
  }, [t]);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const s = await api<SessionView>('/api/session', {
        method: 'POST',
        body: { email: String(form.get('email')), password: String(form.get('password')) },
      });
      setCsrfToken(s.csrfToken);
      onSignedIn(s.user);
      if (!location.hash) location.hash = `#/${homeOf(s.user)}`;
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : t('error'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" className="login">
      <h1>{t('appName')}</h1>
      <LanguageSwitch />
      <form onSubmit={submit} aria-describedby={error ? 'login-error' : undefined}>
        <label htmlFor="email">{t('email')}</label>
        <input id="email" name="email" type="email" autoComplete="username" required />
        <label htmlFor="password">{t('password')}</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required />
        {error && (
          <p id="login-error" role="alert" className="error">
            {t('signInFailed')}: {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {t('signIn')}
        </button>
      </form>
      <p className="muted">{t('demoHint')}</p>
    </main>
  );
}

function Shell({ user, onSignedOut }: { user: User; onSignedOut(): void }) {
  const { t } = useI18n();
  const live = useLive();
  const route = useRoute();
  const view = route[0] ?? homeOf(user);
  // The webcare queue holds signals, which only webcare, leads, executives and admins may read.
  const seesQueue = ['webcare-agent', 'team-lead', 'executive', 'admin'].includes(user.role ?? '');
  const nav: Array<[string, string]> = [
    ...(seesQueue ? [['queue', t('navQueue')] as [string, string]] : []),
    ['mine', t('navMine')],
    ['team', t('navTeam')],
    ['reviews', t('navReviews')],
    ['kpis', t('navKpis')],
    ['search', t('navSearch')],
    ['sent', t('navSent')],
  ];
  const signOut = async () => {
    await api('/api/session', { method: 'DELETE' }).catch(() => undefined);
    location.hash = '';
    onSignedOut();
  };
  const title =
    {
      queue: t('navQueue'),
      mine: t('navMine'),
      team: t('navTeam'),
      reviews: t('navReviews'),
      review: t('navReviews'),
      kpis: t('navKpis'),
      search: t('navSearch'),
      complaint: t('complaints'),
      customer: t('navCustomer'),
      sent: t('navSent'),
    }[view] ?? t('appName');
  useEffect(() => {
    document.title = `${title} — ${t('appName')}`;
  }, [title, t]);
  // `/` jumps to search from anywhere, except while typing in a field.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)))
        return;
      e.preventDefault();
      if (location.hash.startsWith('#/search')) document.getElementById('search-q')?.focus();
      else location.hash = '#/search';
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  return (
    <>
      <a
        className="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        {t('skip')}
      </a>
      <header className="top">
        <span className="brand">{t('appName')}</span>
        <nav aria-label={t('appName')}>
          <ul>
            {nav.map(([id, label]) => (
              <li key={id}>
                <a href={`#/${id}`} aria-current={view === id ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span className={live.connected ? 'live on' : 'live'} role="status">
          {live.connected ? `● ${t('live')}` : t('liveOff')}
        </span>
        <LanguageSwitch />
        <span className="who">
          {t('signedInAs')} <strong>{user.name}</strong> ({user.role})
        </span>
        <button type="button" className="secondary" onClick={signOut}>
          {t('signOut')}
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <h1>{title}</h1>
        {view === 'queue' && <WebcareQueue />}
        {view === 'mine' && <MyComplaints user={user} />}
        {view === 'complaint' && route[1] && <ComplaintDetail id={route[1]} user={user} />}
        {view === 'team' && <TeamLead user={user} />}
        {view === 'reviews' && <RootCauses />}
        {view === 'review' && route[1] && <RootCauseDetail id={route[1]} user={user} />}
        {view === 'customer' && route[1] && <CustomerView id={route[1]} />}
        {view === 'kpis' && <Kpis />}
        {view === 'search' && <Search key={route[1] ?? ''} initial={route[1]} />}
        {view === 'sent' && <SentMail />}
      </main>
    </>
  );
}
