/**
 * One chart.js line chart of a device's metric over the chosen range. It loads the downsampled
 * series (points ≈ its own width in px), then folds in every live sample for its metrics and
 * redraws with update('none'). `data-points` on the wrapper counts the real points plotted.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { LiveSamplesMessage } from '../../../../shared/live.js';
import { describeError } from '../../lib/api.js';
import { useApp } from '../../lib/app-context.js';
import { countPoints, insertPoint, linesFromResponses, trimBefore, type SeriesLine } from '../../lib/chart-data.js';
import { formatValue, seriesKey, type ChartDef } from '../../lib/chart-defs.js';
import { applyChartTheme, buildChartConfig, Chart, styleDataset, type LineChart } from '../../lib/chart-setup.js';
import type { SampleBus } from '../../lib/sample-bus.js';
import { useT } from '../../lib/i18n/index.js';

interface Props {
  deviceId: string;
  def: ChartDef;
  rangeMs: number;
  intervalMs: number;
  bus: SampleBus;
}

type Dataset = LineChart['data']['datasets'][number];

export function MetricChart({ deviceId, def, rangeMs, intervalMs, bus }: Props) {
  const { api, theme } = useApp();
  const t = useT();
  const wrapRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<LineChart | null>(null);
  const keysRef = useRef<string[]>([]);
  const isLoadingRef = useRef(true);
  const bufferRef = useRef<LiveSamplesMessage[]>([]);
  const [status, setStatus] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState('');
  const [pointCount, setPointCount] = useState(0);
  const [latest, setLatest] = useState<number | null>(null);

  const refresh = (chart: LineChart, fromMs: number, toMs: number) => {
    const x = chart.options.scales?.x;
    if (x) {
      x.min = fromMs;
      x.max = toMs;
    }
    const datasets = chart.data.datasets;
    datasets.forEach((ds, i) => styleDataset(ds, i, datasets.length === 1));
    const legend = chart.options.plugins?.legend;
    if (legend) legend.display = datasets.length > 1;
    chart.update('none');
    setPointCount(countPoints(datasets));
    const only = datasets.length === 1 ? datasets[0]!.data.filter((p) => !Number.isNaN(p.y)).at(-1) : undefined;
    setLatest(only ? only.y : null);
  };

  const setLines = (chart: LineChart, lines: SeriesLine[], fromMs: number, toMs: number) => {
    chart.data.datasets = lines.map((l): Dataset => ({ label: l.label, data: l.points }));
    keysRef.current = lines.map((l) => l.key);
    refresh(chart, fromMs, toMs);
  };

  const applySamples = (chart: LineChart, messages: readonly LiveSamplesMessage[]) => {
    let newestMs = 0;
    for (const msg of messages) {
      for (const s of msg.metrics) {
        if (!(def.metrics as readonly string[]).includes(s.name)) continue;
        const key = seriesKey(s.name, s.labels);
        let index = keysRef.current.indexOf(key);
        if (index < 0) {
          index = keysRef.current.push(key) - 1;
          chart.data.datasets.push({ label: def.labelOf(s.name, s.labels ?? {}), data: [] });
        }
        const data = chart.data.datasets[index]!.data;
        const last = data.at(-1);
        if (last && msg.tsMs - last.x > 3 * intervalMs) data.push({ x: last.x + 1, y: Number.NaN });
        insertPoint(data, { x: msg.tsMs, y: s.value });
        newestMs = Math.max(newestMs, msg.tsMs);
      }
    }
    if (newestMs === 0) return;
    const toMs = Math.max(Date.now(), newestMs);
    for (const ds of chart.data.datasets) trimBefore(ds.data, toMs - rangeMs);
    refresh(chart, toMs - rangeMs, toMs);
  };

  useLayoutEffect(() => {
    const chart: LineChart = new Chart(canvasRef.current!, buildChartConfig(def));
    chartRef.current = chart;
    return () => {
      chart.destroy();
      chartRef.current = null;
    };
  }, [def]);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    applyChartTheme(chart);
    chart.update('none');
  }, [theme]);

  useEffect(() => {
    const ac = new AbortController();
    isLoadingRef.current = true;
    bufferRef.current = [];
    setStatus('loading');
    const toMs = Date.now();
    const fromMs = toMs - rangeMs;
    const points = Math.max(50, Math.round(wrapRef.current?.clientWidth ?? 600));
    Promise.all(def.metrics.map((name) => api.getMetrics({ deviceId, name, fromMs, toMs, points }, ac.signal))).then(
      (responses) => {
        const chart = chartRef.current;
        if (!chart || ac.signal.aborted) return;
        const lines = linesFromResponses(def, responses, intervalMs);
        setLines(chart, lines, fromMs, toMs);
        isLoadingRef.current = false;
        const lastMs = Math.max(0, ...lines.map((l) => l.points.at(-1)?.x ?? 0));
        const buffered = bufferRef.current.filter((m) => m.tsMs > lastMs);
        bufferRef.current = [];
        if (buffered.length > 0) applySamples(chart, buffered);
        setStatus('ready');
      },
      (err: unknown) => {
        if (ac.signal.aborted) return;
        setError(describeError(err));
        setStatus('error');
      },
    );
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- setLines/applySamples are re-made each render but read only refs and the props listed here
  }, [api, deviceId, def, rangeMs, intervalMs]);

  useEffect(
    () =>
      bus.subscribe((msg) => {
        const chart = chartRef.current;
        if (isLoadingRef.current) bufferRef.current.push(msg);
        else if (chart) applySamples(chart, [msg]);
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- applySamples is re-made each render but reads only refs and the props listed here
    [bus, def, rangeMs, intervalMs],
  );

  return (
    <figure class="chart-card" data-testid="chart" data-metric={def.id} data-points={pointCount} aria-labelledby={`chart-${def.id}`}>
      <figcaption class="chart-head">
        <span class="chart-title" id={`chart-${def.id}`}>
          {t(def.title)}
        </span>
        {latest !== null && <span class="chart-latest">{formatValue(def.unit, latest)}</span>}
      </figcaption>
      <div class="chart-body" ref={wrapRef}>
        <canvas ref={canvasRef} data-metric={def.id} role="img" aria-label={t('chart.label', { title: t(def.title) })} />
        {status === 'error' ? (
          <p class="chart-overlay chart-error" role="alert">
            {error}
          </p>
        ) : status === 'loading' && pointCount === 0 ? (
          <p class="chart-overlay">{t('chart.loading')}</p>
        ) : status === 'ready' && pointCount === 0 ? (
          <p class="chart-overlay">{t('chart.noData')}</p>
        ) : null}
      </div>
    </figure>
  );
}
