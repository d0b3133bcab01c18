import { useEffect, useRef } from 'react';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { qs, type KpiAnswer, type RootCauseItemView, type RootCauseSummary } from '../api';
import { formatTime, useI18n, useTaxonomy } from '../i18n';
import { Failure, useApi } from './shared';

Chart.register(
  LineController,
  LineElement,
  PointElement,
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  Legend,
  Tooltip,
);

// Colour-blind-safe palette (Okabe–Ito) with enough contrast on white.
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#8a6d00'];

function ChartBox({ config, label }: { config: ChartConfiguration; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = new Chart(ref.current, {
      ...config,
      options: { animation: false, responsive: true, maintainAspectRatio: false, ...config.options },
    });
    return () => chart.destroy();
  }, [config]);
  return (
    <div className="chart">
      <canvas ref={ref} role="img" aria-label={label} />
    </div>
  );
}

export function Kpis() {
  const { t, lang } = useI18n();
  const taxonomy = useTaxonomy();
  const byDay = useApi<KpiAnswer>(`/api/kpis?${qs({ groupBy: 'day' })}`, { live: false });
  const byChannel = useApi<KpiAnswer>(`/api/kpis?${qs({ groupBy: 'channel' })}`, { live: false });
  const byCategory = useApi<KpiAnswer>(`/api/kpis?${qs({ groupBy: 'category' })}`, { live: false });
  const byTeam = useApi<KpiAnswer>(`/api/kpis?${qs({ groupBy: 'team' })}`, { live: false });
  const roots = useApi<{ items: RootCauseItemView[] }>(`/api/root-cause-items?${qs({ pageSize: 20 })}`, {
    live: false,
  });
  const rootSummary = useApi<RootCauseSummary>('/api/root-cause-items/summary', { live: false });
  const err = byDay.error ?? byChannel.error ?? byCategory.error;
  const days = byDay.data?.groups ?? [];
  const timesConfig: ChartConfiguration = {
    type: 'line',
    data: {
      labels: days.map((g) => g.key),
      datasets: [
        {
          label: t('acknowledgement'),
          data: days.map((g) => g.timeToAcknowledgement.medianMinutes),
          borderColor: COLOURS[0],
          backgroundColor: COLOURS[0],
        },
        {
          label: t('ownerClock'),
          data: days.map((g) => g.timeToOwner.medianMinutes),
          borderColor: COLOURS[1],
          backgroundColor: COLOURS[1],
        },
        {
          label: t('firstResponse'),
          data: days.map((g) => g.timeToFirstResponse.medianMinutes),
          borderColor: COLOURS[2],
          backgroundColor: COLOURS[2],
        },
        {
          label: t('resolutionClock'),
          data: days.map((g) => g.timeToResolution.medianMinutes),
          borderColor: COLOURS[3],
          backgroundColor: COLOURS[3],
        },
      ],
    },
  };
  const channels = byChannel.data?.groups ?? [];
  const slaConfig: ChartConfiguration = {
    type: 'bar',
    data: {
      labels: channels.map((g) => g.key),
      datasets: [
        {
          label: `${t('withinSla')} (%)`,
          data: channels.map((g) => (g.withinSla === null ? 0 : Math.round(g.withinSla * 100))),
          backgroundColor: COLOURS[0],
        },
      ],
    },
    options: { scales: { y: { min: 0, max: 100 } } },
  };
  const table = (answer: KpiAnswer | undefined, caption: string, name = (key: string) => key) => (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col"> </th>
          <th scope="col">{t('count')}</th>
          <th scope="col">{t('backlog')}</th>
          <th scope="col">{t('withinSla')}</th>
          <th scope="col">{t('firstResponse')} (min)</th>
          <th scope="col">{t('csat')}</th>
          <th scope="col">{t('foundedLabel')}</th>
          <th scope="col">{t('kpiFollowUps')}</th>
        </tr>
      </thead>
      <tbody>
        {(answer?.groups ?? []).map((g) => (
          <tr key={g.key}>
            <th scope="row">{name(g.key)}</th>
            <td>{g.complaints}</td>
            <td>{g.backlog}</td>
            <td>{g.withinSla === null ? '—' : `${Math.round(g.withinSla * 100)}%`}</td>
            <td>{g.timeToFirstResponse.medianMinutes ?? '—'}</td>
            <td>{g.csat.average === null ? '—' : `${g.csat.average.toFixed(1)} (${g.csat.responses})`}</td>
            <td>
              {g.founded.share === null
                ? '—'
                : `${Math.round(g.founded.share * 100)}% (${g.founded.decided})`}
            </td>
            <td>
              {g.followUps.opened
                ? `${g.followUps.opened}: ${g.followUps.completed} ${t('followUpDone')}${
                    g.followUps.withinTime === null
                      ? ''
                      : `, ${Math.round(g.followUps.withinTime * 100)}% ${t('withinTime')}`
                  } (${t('outcomeContacted').toLowerCase()} ${g.followUps.outcomes.contacted}, ${t('outcomeRemedy').toLowerCase()} ${g.followUps.outcomes.remedyOffered}, ${t('outcomeReopened').toLowerCase()} ${g.followUps.outcomes.reopened})`
                : '—'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <>
      {err && <Failure error={err} />}
      <div className="grid">
        <section aria-labelledby="k-times">
          <h2 id="k-times">{t('kpiTimes')}</h2>
          <ChartBox config={timesConfig} label={t('kpiTimes')} />
        </section>
        <section aria-labelledby="k-sla">
          <h2 id="k-sla">{t('kpiWithinSla')}</h2>
          <ChartBox config={slaConfig} label={t('kpiWithinSla')} />
        </section>
      </div>
      {table(byChannel.data, t('channel'))}
      {table(byCategory.data, t('kpiBacklog'), taxonomy.category)}
      {table(byTeam.data, t('team'))}
      <section aria-labelledby="k-roots">
        <h2 id="k-roots">{t('kpiReviews')}</h2>
        {rootSummary.error && <Failure error={rootSummary.error} />}
        {rootSummary.data && (
          <table>
            <caption className="sr-only">{t('kpiReviews')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('category')}</th>
                <th scope="col">{t('reviewsOpen')}</th>
                <th scope="col">{t('reviewsOverdue')}</th>
                <th scope="col">{t('reviewsCompleted')}</th>
                <th scope="col">{t('foundedRate')}</th>
                <th scope="col">{t('spikesFlagged')}</th>
              </tr>
            </thead>
            <tbody>
              {[...rootSummary.data.byCategory, { category: '', ...rootSummary.data.total }].map((r) => (
                <tr key={r.category || 'total'}>
                  <th scope="row">{r.category ? taxonomy.category(r.category) : t('total')}</th>
                  <td>{r.reviewsOpen}</td>
                  <td>{r.reviewsOverdue}</td>
                  <td>
                    {r.reviewsCompleted} ({r.reviewsCompletedOnTime} {t('onTime')})
                  </td>
                  <td>{r.foundedRate === null ? '—' : `${Math.round(r.foundedRate * 100)}%`}</td>
                  <td>{r.spikesFlagged}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h3>{t('rootCauses')}</h3>
        {roots.error && <Failure error={roots.error} />}
        {(roots.data?.items ?? []).length ? (
          <ul className="plain">
            {roots.data!.items.map((r) => (
              <li key={r.id}>
                <a href={`#/review/${r.id}`}>
                  <strong>{r.kind === 'spike' ? t('kindSpike') : t('kindReview')}</strong> ·{' '}
                  {taxonomy.category(r.category)}
                </a>{' '}
                · {r.status}
                {r.overdue ? ` · ${t('overdue')}` : ''} · {r.linkedCount}
                {r.expected !== null ? ` (≈${r.expected.toFixed(2)})` : ''} · {formatTime(r.openedAt, lang)} —{' '}
                {r.reason}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t('nothing')}</p>
        )}
      </section>
    </>
  );
}
