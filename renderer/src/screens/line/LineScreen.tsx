import { useState } from 'react';
import type { LiveLine, LiveSnapshot } from '../../../../shared/api.ts';
import { useClient } from '../../clientContext.tsx';
import { classifyTakt, formatTaktS } from '../../display.ts';
import { usePolling } from '../../hooks/usePolling.ts';
import { useI18n } from '../../i18nContext.tsx';
import { routeHref } from '../../routes.ts';
import { OpenStopPanel } from './OpenStop.tsx';
import { StationTable } from './StationTable.tsx';
import { TaktTrendChart } from './TaktTrendChart.tsx';

type Minutes = 15 | 60;
const TREND_REFRESH_MS = 5_000;

export function LineScreen({ lineId, snapshot }: { lineId: string | null; snapshot: LiveSnapshot | null }) {
  const { t } = useI18n();
  if (!lineId) return <p className="placeholder">{t('line.choose')}</p>;
  const line = snapshot?.lines.find((l) => l.id === lineId) ?? null;
  if (snapshot && !line) return <p className="placeholder">{t('line.notFound', { id: lineId })}</p>;
  return <LineDetail key={lineId} lineId={lineId} line={line} timezone={snapshot?.timezone ?? 'UTC'} now={snapshot?.ts ?? null} />;
}

function LineDetail({ lineId, line, timezone, now }: { lineId: string; line: LiveLine | null; timezone: string; now: number | null }) {
  const { t, tWords } = useI18n();
  const client = useClient();
  const [minutes, setMinutes] = useState<Minutes>(15);
  const trend = usePolling(() => client.trend({ lineId, minutes }), `${lineId}|${minutes}`, TREND_REFRESH_MS);
  // Live stations are pushed continuously; the trend's copy only refreshes with the chart.
  const all = line?.stations ?? trend.data?.stations ?? [];
  // Stations telemetry names that the configuration does not list are kept apart: they take no part in the figures.
  const stations = all.filter((s) => s.configured);
  const unconfigured = all.filter((s) => !s.configured);
  const bottleneck = line ? line.bottleneckStation : (trend.data?.bottleneckStation ?? null);
  return (
    <section className="line-screen" data-testid="line-screen" data-line-id={lineId}>
      <LineSummary lineId={lineId} line={line} />
      {line?.openStop ? (
        <OpenStopPanel key={`${line.openStop.station ?? ''}|${line.openStop.since}`} line={line} stop={line.openStop} now={now ?? line.openStop.since} timezone={timezone} />
      ) : null}
      <div className="panel">
        <div className="panel-head">
          <h2>{t('line.trend')}</h2>
          <div className="toggle" role="group" aria-label={t('line.trendWindow')}>
            {([15, 60] as const).map((m) => (
              <button key={m} type="button" aria-pressed={minutes === m} className={minutes === m ? 'active' : undefined} data-testid={`trend-${m}`} onClick={() => setMinutes(m)}>
                {t(m === 15 ? 'line.window15' : 'line.window60')}
              </button>
            ))}
          </div>
        </div>
        {trend.error ? <p className="error">{t('app.error', { message: tWords(trend.errorWords, trend.error) })}</p> : null}
        {trend.data ? <TaktTrendChart trend={trend.data} timezone={timezone} /> : <p className="placeholder">{t('app.loading')}</p>}
      </div>
      <div className="panel">
        <div className="panel-head">
          <h2>{t('line.stations')}</h2>
          {bottleneck ? <span className="tag tag-bottleneck">{t('line.bottleneckIs', { station: bottleneck })}</span> : null}
        </div>
        <StationTable stations={stations} bottleneck={bottleneck} timezone={timezone} />
      </div>
      {unconfigured.length > 0 ? (
        <div className="panel unconfigured-panel" data-testid="unconfigured-stations">
          <div className="panel-head">
            <h2>{t('line.unconfiguredStations')}</h2>
            <a href={routeHref({ screen: 'diagnostics' })}>{t('line.toDiagnostics')}</a>
          </div>
          <p className="note">{t('line.unconfiguredNote')}</p>
          <StationTable stations={unconfigured} bottleneck={null} timezone={timezone} testId="unconfigured-station-table" />
        </div>
      ) : null}
    </section>
  );
}

function LineSummary({ lineId, line }: { lineId: string; line: LiveLine | null }) {
  const { t } = useI18n();
  if (!line) return <h1 className="screen-title">{lineId}</h1>;
  const status = classifyTakt(line.actualTaktS, line.targetTaktS);
  return (
    <div className="line-summary">
      <h1 className="screen-title">{line.name}</h1>
      {line.configured ? null : (
        <p className="unconfigured-line" data-testid="unconfigured-line">
          ⚠ {t('line.unconfiguredLine')}
        </p>
      )}
      <span className={`line-state line-state-${line.state}`} data-state={line.state}>
        {t(`lineState.${line.state}`)}
      </span>
      <span className={`summary-takt takt-${status}`}>
        {formatTaktS(line.actualTaktS)} <small>{t(`takt.${status}`)}</small>
      </span>
      <span className="summary-target">{line.targetTaktS === null ? t('card.noTarget') : t('card.target', { value: formatTaktS(line.targetTaktS) })}</span>
    </div>
  );
}
