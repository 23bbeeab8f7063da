import { useId, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, LabelList, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { WaterfallStep } from '../../../../shared/api.ts';
import { formatTaktS } from '../../display.ts';
import { useI18n } from '../../i18nContext.tsx';
import { CHART, TOOLTIP_STYLE } from '../../palette.ts';
import { LabelTick } from './LabelTick.tsx';
import { durationTicks, formatDuration, formatHoursMinutes, formatUnits, waterfallBars, waterfallModes, type WaterfallBar, type WaterfallMode } from './losses.ts';

/** Each step its own colour, and its name under it and its value over it: never colour alone. */
export const STEP_COLOUR: Record<WaterfallStep['step'], string> = {
  planned: CHART.units,
  downtime: '#ff3b3b',
  unreported_stops: '#ff7a45',
  small_stops: '#ffb020',
  slow_cycles: '#e8c547',
  rejects: '#c08bff',
  other: '#8a96a8',
  good: '#3ddc84',
};

export function LossWaterfall({ steps, targetTaktS }: { steps: WaterfallStep[]; targetTaktS: number | null }) {
  const { t } = useI18n();
  const modes = waterfallModes(steps);
  const [picked, setPicked] = useState<WaterfallMode>(modes[0]);
  const mode = modes.includes(picked) ? picked : modes[0];
  const bars = waterfallBars(steps, mode);
  const planned = steps.find((s) => s.step === 'planned');
  if (!bars || !planned || planned.seconds <= 0) return <p className="placeholder">{t('loss.noWaterfall')}</p>;
  const format = (v: number) => (mode === 'units' ? formatUnits(v) : formatDuration(v));
  const name = (step: WaterfallStep['step']) => t(`loss.step.${step}`);
  // The table and the tooltip give h:mm:ss; a bar's label h:mm, so narrow bars keep their labels apart.
  const data = bars.map((b) => ({ ...b, name: name(b.step), text: format(b.value), label: mode === 'units' ? formatUnits(b.value) : formatHoursMinutes(b.value) }));
  const top = Math.max(...bars.map((b) => b.range[1]));
  const timeTicks = mode === 'time' ? durationTicks(top) : undefined;
  const describe = `${t('loss.waterfall')}: ${data.map((d) => `${d.name} ${d.text}`).join('; ')}`;
  const other = bars.find((b) => b.step === 'other');
  return (
    <div className="chart-block" data-testid="loss-waterfall" data-mode={mode}>
      <div className="chart-toolbar">
        <div className="toggle" role="group" aria-label={t('loss.modeLabel')}>
          {(['units', 'time'] as const).map((m) => (
            <button
              key={m}
              type="button"
              aria-pressed={mode === m}
              className={mode === m ? 'active' : undefined}
              disabled={!modes.includes(m)}
              data-testid={`waterfall-${m}`}
              onClick={() => setPicked(m)}
            >
              {t(m === 'units' ? 'loss.inUnits' : 'loss.inTime')}
            </button>
          ))}
        </div>
      </div>
      <div className="chart chart-waterfall" role="img" aria-label={describe}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 22, right: 8, bottom: 0, left: 0 }} barCategoryGap="18%">
            <CartesianGrid stroke={CHART.grid} strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="name" stroke={CHART.axis} interval={0} height={44} tick={<LabelTick label={(text) => ({ text })} fontSize={11} />} />
            <YAxis
              stroke={CHART.axis}
              width={58}
              ticks={timeTicks}
              domain={timeTicks ? [0, timeTicks[timeTicks.length - 1]] : [0, 'auto']}
              tickFormatter={(v: number) => (mode === 'units' ? formatUnits(v) : formatHoursMinutes(v))}
            />
            <ReferenceLine y={0} stroke={CHART.axis} />
            <Tooltip cursor={{ fill: 'rgba(255,255,255,0.06)' }} content={<StepTooltip format={format} />} />
            <Bar dataKey="range" isAnimationActive={false}>
              {data.map((d) => (
                <Cell key={d.step} fill={STEP_COLOUR[d.step]} fillOpacity={d.kind === 'gain' ? 0.45 : 1} stroke={d.kind === 'gain' ? STEP_COLOUR[d.step] : undefined} strokeDasharray={d.kind === 'gain' ? '4 3' : undefined} data-step={d.step} />
              ))}
              <LabelList dataKey="label" position="top" fill="#eef3f8" fontSize={12} />
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
      <table className="sr-only" data-testid="waterfall-table">
        <tbody>
          {data.map((d) => (
            <tr key={d.step} data-step={d.step} data-value={d.value}>
              <th>{d.name}</th>
              <td>{d.text}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="note waterfall-notes">
        <InfoTip label={t('loss.otherWhat')} text={other && other.value < 0 ? `${t('loss.otherExplained')} ${t('loss.negative')}` : t('loss.otherExplained')} testId="waterfall-other-tip" />
        <span>{mode === 'units' ? t('loss.unitsNote', { takt: formatTaktS(targetTaktS) }) : targetTaktS === null ? t('loss.noTarget') : t('loss.timeNote')}</span>
      </p>
    </div>
  );
}

type Row = WaterfallBar & { name: string; text: string };

/** The step, its value, and for `other` what it holds (it may be negative). */
function StepTooltip({ active, payload, format }: { active?: boolean; payload?: readonly { payload?: unknown }[]; format(v: number): string }) {
  const { t } = useI18n();
  const row = payload?.[0]?.payload as Row | undefined;
  if (!active || !row) return null;
  return (
    <div className="chart-tooltip" style={TOOLTIP_STYLE}>
      <strong>{row.name}</strong>: {format(row.value)}
      {row.step === 'other' ? <p className="tooltip-detail">{t('loss.otherExplained')}</p> : null}
    </div>
  );
}

/** A tooltip that a keyboard reaches too: the text shows on hover and on focus, and is the element's description. */
export function InfoTip({ label, text, testId }: { label: string; text: string; testId?: string }) {
  const id = useId();
  return (
    <span className="info-tip" tabIndex={0} aria-describedby={id} data-testid={testId}>
      <span aria-hidden="true">ⓘ </span>
      {label}
      <span role="tooltip" id={id} className="info-tip-text">
        {text}
      </span>
    </span>
  );
}
