import { memo, useId } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceArea, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { TrendSeries } from '../../../../shared/api.ts';
import { formatClock, formatClockSeconds, formatTaktS, timeTicks } from '../../display.ts';
import { useI18n } from '../../i18nContext.tsx';
import { CHART, TOOLTIP_STYLE } from '../../palette.ts';
import { markSpans, MARK_COLOUR } from './marks.ts';

const MINUTE_MS = 60_000;

/** About eight labels whatever the window, so 15 min and 1 h read the same way. */
function tickStepMs(spanMs: number): number {
  return spanMs <= 20 * MINUTE_MS ? 2 * MINUTE_MS : spanMs <= 90 * MINUTE_MS ? 10 * MINUTE_MS : 30 * MINUTE_MS;
}

/** Memoised: up to ~1 000 points, redrawn only when a new trend arrives, not on every live push. */
export const TaktTrendChart = memo(function TaktTrendChart({ trend, timezone }: { trend: TrendSeries; timezone: string }) {
  const { t } = useI18n();
  const ticks = timeTicks(trend.from, trend.to, tickStepMs(trend.to - trend.from));
  const data = trend.points.map(([ts, s]) => ({ ts, s }));
  // Small and unreported stops as shaded spans: hatched and dotted, and named in the legend, never colour alone.
  const marks = markSpans(trend.marks ?? [], trend.from, trend.to);
  const ids = useId().replace(/[^A-Za-z0-9_-]/g, '');
  const fill = { small_stop: `url(#small-${ids})`, unreported_stop: `url(#unreported-${ids})` } as const;
  const counts = { small: marks.filter((m) => m.cls === 'small_stop').length, unreported: marks.filter((m) => m.cls === 'unreported_stop').length };
  return (
    <>
      <div className="chart chart-trend" data-testid="trend-chart" data-points={data.length} data-marks={marks.length}>
        {data.length === 0 ? <p className="chart-empty">{t('line.noPoints')}</p> : null}
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 16, right: 24, bottom: 8, left: 8 }}>
            <defs>
              <pattern id={`small-${ids}`} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                <rect width="6" height="6" fill={MARK_COLOUR.small_stop} fillOpacity={0.18} />
                <line x1="0" y1="0" x2="0" y2="6" stroke={MARK_COLOUR.small_stop} strokeWidth="2" strokeOpacity={0.7} />
              </pattern>
              <pattern id={`unreported-${ids}`} width="7" height="7" patternUnits="userSpaceOnUse">
                <rect width="7" height="7" fill={MARK_COLOUR.unreported_stop} fillOpacity={0.14} />
                <circle cx="3.5" cy="3.5" r="1.5" fill={MARK_COLOUR.unreported_stop} fillOpacity={0.6} />
              </pattern>
            </defs>
            <CartesianGrid stroke={CHART.grid} strokeDasharray="3 3" />
            {marks.map((m) => (
              <ReferenceArea key={`${m.cls}-${m.start}`} x1={m.x1} x2={m.x2} fill={fill[m.cls]} fillOpacity={1} stroke={MARK_COLOUR[m.cls]} strokeOpacity={0.6} ifOverflow="visible" />
            ))}
            <XAxis
              dataKey="ts"
              type="number"
              scale="time"
              domain={[trend.from, trend.to]}
              ticks={ticks}
              tickFormatter={(ts: number) => formatClock(ts, timezone)}
              stroke={CHART.axis}
              allowDataOverflow
            />
            <YAxis domain={[0, 'auto']} stroke={CHART.axis} width={56} label={{ value: t('line.seconds'), angle: -90, position: 'insideLeft', fill: CHART.axis }} />
            <Tooltip
              labelFormatter={(ts) => formatClockSeconds(Number(ts), timezone)}
              formatter={(v) => [formatTaktS(Number(v)), t('line.seconds')]}
              contentStyle={TOOLTIP_STYLE}
            />
            {trend.targetTaktS !== null ? (
              <ReferenceLine
                y={trend.targetTaktS}
                stroke={CHART.target}
                strokeWidth={2}
                strokeDasharray="6 4"
                ifOverflow="extendDomain"
                label={{ value: `${t('line.targetLine')} ${formatTaktS(trend.targetTaktS)}`, position: 'insideTopRight', fill: CHART.target }}
              />
            ) : null}
            <Line type="linear" dataKey="s" stroke={CHART.line} strokeWidth={1.5} dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <ul className="legend" data-testid="trend-legend">
        <li>
          <span className="legend-line" style={{ background: CHART.line }} />
          {t('line.seconds')}
        </li>
        <li data-mark="small_stop" data-count={counts.small}>
          <span className="legend-swatch mark-small" />
          {t('trend.smallStop')} ({counts.small})
        </li>
        <li data-mark="unreported_stop" data-count={counts.unreported}>
          <span className="legend-swatch mark-unreported" />
          {t('trend.unreportedStop')} ({counts.unreported})
        </li>
      </ul>
    </>
  );
});
