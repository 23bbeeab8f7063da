import { Bar, BarChart, CartesianGrid, Cell, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HistoryLine } from '../../../../shared/api.ts';
import { classifyTakt, formatTaktS } from '../../display.ts';
import { useI18n } from '../../i18nContext.tsx';
import { CHART, TOOLTIP_STYLE, TAKT_COLOUR } from '../../palette.ts';

function binLabel(fromS: number, toS: number): string {
  return `${formatTaktS(fromS).replace(' s', '')}–${formatTaktS(toS)}`;
}

/** Each bar coloured by where its slower edge stands against target, with the target bin marked. */
export function TaktHistogram({ bins, targetS }: { bins: HistoryLine['taktHistogram']; targetS: number | null }) {
  const { t } = useI18n();
  if (bins.length === 0) return <p className="placeholder">{t('history.noHistogram')}</p>;
  const data = bins.map((b) => ({ bin: binLabel(b.fromS, b.toS), count: b.count, status: classifyTakt(b.toS, targetS) }));
  const targetBin = targetS === null ? undefined : bins.find((b) => targetS >= b.fromS && targetS <= b.toS);
  return (
    <div className="chart chart-histogram" data-testid="takt-histogram">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 20, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid stroke={CHART.grid} strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="bin" stroke={CHART.axis} />
          <YAxis stroke={CHART.axis} allowDecimals={false} />
          <Tooltip contentStyle={TOOLTIP_STYLE} formatter={(v) => [String(v), t('history.intervals')]} />
          <Bar dataKey="count" isAnimationActive={false}>
            {data.map((d) => (
              <Cell key={d.bin} fill={TAKT_COLOUR[d.status]} />
            ))}
          </Bar>
          {targetBin && targetS !== null ? (
            <ReferenceLine
              x={binLabel(targetBin.fromS, targetBin.toS)}
              stroke={CHART.target}
              strokeWidth={2}
              strokeDasharray="6 4"
              label={{ value: `${t('line.targetLine')} ${formatTaktS(targetS)}`, position: 'top', fill: CHART.target }}
            />
          ) : null}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
