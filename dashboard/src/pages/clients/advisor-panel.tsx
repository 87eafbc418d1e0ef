/**
 * The contract advisor for one client: month by month, what the monthly contract cost (or would
 * have) against what break-fix hours cost (or would have), as bars, with the running totals as
 * lines; then the advisor's recommendation and its reasons for the whole period.
 */
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
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ClientInfo } from '../../../../shared/api-types.js';
import type { ContractHistory } from '../../../../shared/alert-types.js';
import { useApp } from '../../lib/app-context.js';
import { withAlpha } from '../../lib/chart-colors.js';
import { formatIsoDate, formatMinutes, formatMoney, formatMoneyCompact, formatMonth, formatMonthShort } from '../../lib/format.js';
import { useLoad } from '../../lib/hooks.js';
import { cssVar } from '../../lib/theme.js';
import { ContractBadge } from '../../ui/contract-badge.js';
import { EmptyState, LoadState } from '../../ui/ui.js';
import { activeT, useT } from '../../lib/i18n/index.js';
import { breakFixFigure } from './advisor-text.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);

type AdvisorChart = Chart<'bar' | 'line', number[], string>;

const PERIODS = [6, 12, 24];

function cumulative(values: readonly number[]): number[] {
  let sum = 0;
  return values.map((v) => (sum += v));
}

function buildConfig(history: ContractHistory): ChartConfiguration<'bar' | 'line', number[], string> {
  const t = activeT();
  const monthly = cssVar('--monthly') || '#1d4ed8';
  const breakFix = cssVar('--breakfix') || '#9a3412';
  const text = cssVar('--muted') || '#888';
  const grid = cssVar('--chart-grid') || '#8884';
  const money = (v: number) => formatMoney(v, history.currency);
  const axisMoney = (v: number) => formatMoneyCompact(v, history.currency);
  const isNarrow = window.matchMedia('(max-width: 640px)').matches;
  const months = history.months;
  return {
    type: 'bar',
    data: {
      labels: months.map((m) => formatMonthShort(m.month)),
      datasets: [
        {
          type: 'bar',
          label: t('advisor.monthly'),
          data: months.map((m) => m.monthlyAmount),
          backgroundColor: withAlpha(monthly, 0.75),
          borderRadius: 3,
          yAxisID: 'y',
          order: 2,
        },
        {
          type: 'bar',
          label: t('advisor.breakFix'),
          data: months.map((m) => m.breakFixAmount),
          backgroundColor: withAlpha(breakFix, 0.75),
          borderRadius: 3,
          yAxisID: 'y',
          order: 2,
        },
        {
          type: 'line',
          label: t('advisor.monthlyTotal'),
          data: cumulative(months.map((m) => m.monthlyAmount)),
          borderColor: monthly,
          backgroundColor: monthly,
          borderWidth: 2,
          pointRadius: 2,
          yAxisID: 'total',
          order: 1,
        },
        {
          type: 'line',
          label: t('advisor.breakFixTotal'),
          data: cumulative(months.map((m) => m.breakFixAmount)),
          borderColor: breakFix,
          backgroundColor: breakFix,
          borderDash: [5, 4],
          borderWidth: 2,
          pointRadius: 2,
          yAxisID: 'total',
          order: 1,
        },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { grid: { display: false }, ticks: { color: text, font: { size: 11 } }, border: { color: grid } },
        y: {
          beginAtZero: true,
          position: 'left',
          title: { display: !isNarrow, text: t('advisor.perMonth'), color: text },
          grid: { color: grid },
          border: { display: false },
          ticks: { color: text, maxTicksLimit: 5, font: { size: 11 }, callback: (v) => axisMoney(Number(v)) },
        },
        total: {
          beginAtZero: true,
          position: 'right',
          title: { display: !isNarrow, text: t('advisor.runningTotal'), color: text },
          grid: { display: false },
          border: { display: false },
          ticks: { color: text, maxTicksLimit: 5, font: { size: 11 }, callback: (v) => axisMoney(Number(v)) },
        },
      },
      plugins: {
        legend: {
          position: 'bottom',
          labels: { color: text, boxWidth: 12, boxHeight: 8, font: { size: 11 }, sort: (a, b) => (a.datasetIndex ?? 0) - (b.datasetIndex ?? 0) },
        },
        tooltip: {
          callbacks: {
            title: (items) => (items[0] ? formatMonth(months[items[0].dataIndex]!.month) : ''),
            label: (item) => `${item.dataset.label}: ${money(Number(item.raw))}`,
          },
        },
      },
    },
  };
}

function AdvisorChart({ history }: { history: ContractHistory }) {
  const { theme } = useApp();
  const t = useT();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useLayoutEffect(() => {
    const chart = new Chart(canvasRef.current!, buildConfig(history)) as AdvisorChart;
    return () => chart.destroy();
  }, [history, theme]);
  const last = history.months.at(-1);
  return (
    <figure class="chart-card advisor-chart" data-testid="advisor-chart" data-months={history.months.length}>
      <figcaption class="chart-head">
        <span class="chart-title">{t('advisor.chartTitle')}</span>
      </figcaption>
      <div class="chart-body tall">
        <canvas
          ref={canvasRef}
          role="img"
          aria-label={t('advisor.chartLabel', {
            count: history.months.length,
            last: last
              ? t('advisor.chartLast', {
                  month: formatMonth(last.month),
                  monthly: formatMoney(last.monthlyAmount, history.currency),
                  breakFix: formatMoney(last.breakFixAmount, history.currency),
                })
              : '',
          })}
        />
      </div>
    </figure>
  );
}

export function AdvisorPanel({ client }: { client: ClientInfo }) {
  const { api, live, locale } = useApp();
  const t = useT();
  const [months, setMonths] = useState(12);
  const history = useLoad(
    () => api.contractHistory(client.id, months, locale),
    [api, client.id, client.contract, client.monthlyFee, client.hourlyRate, months, locale],
  );
  const reloadHistory = history.reload;
  useEffect(() => live.on('incidents', (m) => m.incidents.some((i) => i.clientId === client.id) && reloadHistory()), [live, client.id, reloadHistory]);

  if (!history.data) return <LoadState status={history.status} error={history.error} onRetry={history.reload} what={t('load.advisor')} />;
  const h = history.data;
  const a = h.advice;
  const breakFix = breakFixFigure(a);
  const isEmpty = h.months.every((m) => m.monthlyAmount === 0 && m.breakFixAmount === 0);
  return (
    <div class="advisor" data-testid="advisor">
      <div class="toolbar">
        <div class="segmented" role="group" aria-label={t('advisor.period')}>
          {PERIODS.map((n) => (
            <button key={n} type="button" aria-pressed={months === n} onClick={() => setMonths(n)}>
              {t('advisor.months', { count: n })}
            </button>
          ))}
        </div>
      </div>
      <div class={isEmpty ? 'advisor-grid is-empty' : 'advisor-grid'}>
        {isEmpty ? (
          <EmptyState title={t('advisor.empty')}>
            <p>{t('advisor.emptyBody', { name: client.name })}</p>
          </EmptyState>
        ) : (
          <AdvisorChart history={h} />
        )}
        <div class={`verdict verdict-${a.recommendation}`} data-testid="advisor-verdict" data-recommendation={a.recommendation}>
          <p class="verdict-title">{t(`advisor.verdict.${a.recommendation}`)}</p>
          <p class="muted">
            {t('advisor.range', { from: formatIsoDate(a.from), to: formatIsoDate(a.to), months: Math.round(a.months * 10) / 10 })}{' '}
            <ContractBadge contract={a.contract} />
          </p>
          <dl class="verdict-figures">
            <div>
              <dt>{t('advisor.monthly')}</dt>
              <dd>{formatMoney(a.monthly.amount, a.currency)}</dd>
            </div>
            <div>
              <dt>{t('advisor.breakFix')}</dt>
              <dd data-testid="advisor-breakfix" data-estimated={breakFix.isEstimated}>
                {breakFix.amount}
                {breakFix.note && <small class="verdict-note">{breakFix.note}</small>}
              </dd>
            </div>
            <div>
              <dt>{t('advisor.time')}</dt>
              <dd>
                {t('advisor.booked', { booked: a.breakFix.bookedMinutes > 0 ? 'some' : 'none', time: formatMinutes(a.breakFix.bookedMinutes) })}
                {a.breakFix.estimatedMinutes > 0 && t('advisor.estimated', { time: formatMinutes(a.breakFix.estimatedMinutes) })}
              </dd>
            </div>
            <div>
              <dt>{t('advisor.caughtEarly')}</dt>
              <dd>{t('advisor.proactive', { count: a.proactiveAlerts.length })}</dd>
            </div>
          </dl>
          <ul class="reasons">
            {a.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
          <details class="assumptions">
            <summary>{t('advisor.assumptions')}</summary>
            <ul>
              {a.assumptions.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          </details>
        </div>
      </div>
    </div>
  );
}
