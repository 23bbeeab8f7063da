import { Bar, CartesianGrid, Cell, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HourBucket } from '../../../../shared/api.ts';
import { formatClock } from '../../display.ts';
import { useI18n } from '../../i18nContext.tsx';
import { CHART, TOOLTIP_STYLE, TAKT_COLOUR } from '../../palette.ts';

export function HourlyChart({ hourly, timezone }: { hourly: HourBucket[]; timezone: string }) {
  const { t } = useI18n();
  if (hourly.length === 0) return <p className="placeholder">{t('history.noHourly')}</p>;
  const data = hourly.map((b) => ({ hour: formatClock(b.start, timezone), units: b.units, target: b.targetUnits }));
  const unitsLabel = t('history.units');
  const targetLabel = t('history.targetUnits');
  return (
    <div className="chart chart-hourly" data-testid="hourly-chart">
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid stroke={CHART.grid} strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="hour" stroke={CHART.axis} />
          <YAxis stroke={CHART.axis} allowDecimals={false} />
          <Tooltip contentStyle={TOOLTIP_STYLE} />
          <Legend />
          <Bar dataKey="units" name={unitsLabel} fill={CHART.units} isAnimationActive={false}>
            {data.map((d) => (
              // Hours that missed their target stand out even in a long day.
              <Cell key={d.hour} fill={d.target !== null && d.units < d.target ? TAKT_COLOUR.over : CHART.units} />
            ))}
          </Bar>
          <Line dataKey="target" name={targetLabel} type="stepAfter" stroke={CHART.target} strokeWidth={2} dot={false} isAnimationActive={false} connectNulls={false} />
        </ComposedChart>
      </ResponsiveContainer>
      <p className="note">{t('history.hourlyNote')}</p>
    </div>
  );
}
