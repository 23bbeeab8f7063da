import { useId } from 'react';
import { Bar, CartesianGrid, Cell, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HourBucket } from '../../../../shared/api.ts';
import { formatClock } from '../../display.ts';
import { useI18n } from '../../i18nContext.tsx';
import { CHART, TOOLTIP_STYLE, TAKT_COLOUR } from '../../palette.ts';
import { hourBarKind, hourLegend, type HourBarKind } from './progress.ts';

/** The hour in progress: the units colour, lighter and hatched, so it reads as "not over" without colour too. */
const IN_PROGRESS_FILL_OPACITY = 0.45;

export function HourlyChart({ hourly, timezone }: { hourly: HourBucket[]; timezone: string }) {
  const { t } = useI18n();
  const hatchId = `hourly-${useId().replace(/[^A-Za-z0-9_-]/g, '')}`;
  if (hourly.length === 0) return <p className="placeholder">{t('history.noHourly')}</p>;
  const data = hourly.map((b) => ({ hour: formatClock(b.start, timezone), end: b.end, units: b.units, target: b.targetUnits, kind: hourBarKind(b) }));
  const legend = hourLegend(hourly);
  const unitsLabel = t('history.units');
  const targetLabel = t('history.targetUnits');
  // The bars in words for a screen reader: each hour's units against its target, and which hours missed or are not over.
  const describe = () =>
    `${t('history.hourly')}: ` +
    data
      .map((d) => {
        const word = d.kind === 'missed' ? ` (${t('history.belowTarget')})` : d.kind === 'in_progress' ? ` (${t('history.hourInProgress')})` : '';
        return `${d.hour} ${d.units}${d.target === null ? '' : ` / ${d.target}`}${word}`;
      })
      .join('; ');
  const fill = (kind: HourBarKind) => (kind === 'in_progress' ? `url(#${hatchId})` : kind === 'missed' ? TAKT_COLOUR.over : CHART.units);
  return (
    <div className="chart-block" data-testid="hourly-chart" data-in-progress={legend.inProgress ? 'true' : undefined}>
      <div className="chart chart-hourly" role="img" aria-label={describe()}>
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
            <defs>
              <pattern id={hatchId} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                <rect width="6" height="6" fill={CHART.units} fillOpacity={IN_PROGRESS_FILL_OPACITY} />
                <line x1="0" y1="0" x2="0" y2="6" stroke={CHART.units} strokeWidth="2.5" />
              </pattern>
            </defs>
            <CartesianGrid stroke={CHART.grid} strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="hour" stroke={CHART.axis} />
            <YAxis stroke={CHART.axis} allowDecimals={false} />
            <Tooltip
              contentStyle={TOOLTIP_STYLE}
              labelFormatter={(label, payload) => {
                const row = payload?.[0]?.payload as (typeof data)[number] | undefined;
                return row?.kind === 'in_progress' ? `${String(label)} · ${t('history.hourInProgress')} · ${t('history.tooltipSoFar', { time: formatClock(row.end, timezone) })}` : String(label);
              }}
            />
            <Bar dataKey="units" name={unitsLabel} fill={CHART.units} isAnimationActive={false}>
              {data.map((d) => (
                // Hours that missed their target stand out even in a long day; the hour in progress never does.
                <Cell key={d.hour} fill={fill(d.kind)} stroke={d.kind === 'in_progress' ? CHART.units : undefined} strokeDasharray={d.kind === 'in_progress' ? '4 3' : undefined} data-kind={d.kind} />
              ))}
            </Bar>
            <Line dataKey="target" name={targetLabel} type="stepAfter" stroke={CHART.target} strokeWidth={2} dot={false} isAnimationActive={false} connectNulls={false} />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <ul className="legend" data-testid="hourly-legend">
        <li>
          <span className="legend-swatch" style={{ background: CHART.units }} />
          {unitsLabel}
        </li>
        {legend.missed ? (
          <li data-kind="missed">
            <span className="legend-swatch" style={{ background: TAKT_COLOUR.over }} />
            {t('history.belowTarget')}
          </li>
        ) : null}
        {legend.inProgress ? (
          <li data-kind="in_progress" data-testid="hourly-legend-in-progress">
            <span className="legend-swatch in-progress" />
            {t('history.hourInProgress')}
          </li>
        ) : null}
        {legend.target ? (
          <li>
            <span className="legend-line" style={{ background: CHART.target }} />
            {targetLabel}
          </li>
        ) : null}
      </ul>
      <p className="note">{t('history.hourlyNote')}</p>
      {legend.inProgress ? <p className="note">{t('history.inProgressNote')}</p> : null}
    </div>
  );
}
