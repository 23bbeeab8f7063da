import { memo } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { TrendSeries } from '../../../../shared/api.ts';
import { formatClock, formatClockSeconds, formatTaktS, timeTicks } from '../../display.ts';
import { useI18n } from '../../i18nContext.tsx';
import { CHART, TOOLTIP_STYLE } from '../../palette.ts';

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
  return (
    <div className="chart chart-trend" data-testid="trend-chart" data-points={data.length}>
      {data.length === 0 ? <p className="chart-empty">{t('line.noPoints')}</p> : null}
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 16, right: 24, bottom: 8, left: 8 }}>
          <CartesianGrid stroke={CHART.grid} strokeDasharray="3 3" />
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
  );
});
