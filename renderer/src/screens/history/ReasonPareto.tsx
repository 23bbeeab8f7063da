import { useId, type ReactNode } from 'react';
import { Bar, CartesianGrid, Cell, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { LineLosses, ReasonShare } from '../../../../shared/api.ts';
import { useI18n, type Translate } from '../../i18nContext.tsx';
import { CHART, TOOLTIP_STYLE } from '../../palette.ts';
import { SOURCE_ICON } from './CodeStop.tsx';
import { LabelTick } from './LabelTick.tsx';
import { capRows, downReasonKey, formatDuration, paretoRows, reasonLabel, type CatalogueReason } from './losses.ts';

/** Bars at most; the rest are one "n more" bar. */
const MAX_BARS = 8;

/** Who gave the reason: a colour, and always its icon and word with it (the tick under the bar, the legend). */
export const SOURCE_COLOUR: Record<ReasonShare['source'], string> = { machine: '#4da3ff', operator: '#2ec4b6', none: '#8a96a8' };
const REST_COLOUR = '#4a5668';
const REJECT_COLOUR = '#c08bff';

interface Datum {
  key: string;
  label: string;
  /** The source in words under the label, or ''. */
  sub: string;
  source: ReasonShare['source'] | null;
  value: number;
  text: string;
  sharePct: number;
  cumulativePct: number;
}

const pct = (p: number) => `${p.toFixed(1)} %`;

function reasonText(reason: string, catalogue: readonly CatalogueReason[], lang: string, t: Translate, kind: 'down' | 'reject' = 'down'): string {
  return reason === 'unspecified' ? t('reason.unspecified') : reasonLabel(reason, catalogue, lang, kind);
}

export function DownReasonPareto({ reasons, catalogue }: { reasons: ReasonShare[]; catalogue: readonly CatalogueReason[] }) {
  const { t, lang } = useI18n();
  const hatch = `none-${useId().replace(/[^A-Za-z0-9_-]/g, '')}`;
  const { rows, rest } = capRows(paretoRows(reasons, (r) => r.seconds), MAX_BARS);
  if (rows.length === 0) return <p className="placeholder" data-testid="down-pareto-empty">{t('loss.noDowntime')}</p>;
  const data: Datum[] = rows.map((r) => {
    const label = reasonText(r.item.reason, catalogue, lang, t);
    return {
      key: downReasonKey(r.item),
      label,
      sub: `${SOURCE_ICON[r.item.source]} ${t(`source.${r.item.source}`)}`,
      source: r.item.source,
      value: r.value / 60,
      text: formatDuration(r.value),
      sharePct: r.sharePct,
      cumulativePct: r.cumulativePct,
    };
  });
  if (rest) data.push({ key: 'rest', label: t('loss.more', { count: rest.count }), sub: '', source: null, value: rest.value / 60, text: formatDuration(rest.value), sharePct: rest.sharePct, cumulativePct: 100 });
  const fill = (d: Datum) => (d.source === null ? REST_COLOUR : d.source === 'none' ? `url(#${hatch})` : SOURCE_COLOUR[d.source]);
  const sources = [...new Set(rows.map((r) => r.item.source))];
  return (
    <div className="chart-block" data-testid="down-pareto">
      <ParetoChart data={data} fill={fill} valueAxis={t('loss.minutes')} describe={`${t('loss.downReasons')}: ${describeRows(data, t)}`}>
        <defs>
          <pattern id={hatch} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="6" height="6" fill={SOURCE_COLOUR.none} fillOpacity={0.35} />
            <line x1="0" y1="0" x2="0" y2="6" stroke={SOURCE_COLOUR.none} strokeWidth="2.5" />
          </pattern>
        </defs>
      </ParetoChart>
      <ul className="legend" data-testid="down-pareto-legend">
        {sources.map((s) => (
          <li key={s} data-source={s}>
            <span className={s === 'none' ? 'legend-swatch hatched-light' : 'legend-swatch'} style={{ background: s === 'none' ? undefined : SOURCE_COLOUR[s], borderColor: SOURCE_COLOUR[s] }} />
            <span aria-hidden="true">{SOURCE_ICON[s]}</span> {t(`source.${s}`)}
          </li>
        ))}
        <li>
          <span className="legend-line" style={{ background: CHART.target }} />
          {t('loss.cumulative')}
        </li>
      </ul>
      <p className="note">{t('loss.paretoNote')}</p>
    </div>
  );
}

export function RejectPareto({ reasons, catalogue }: { reasons: LineLosses['rejectReasons']; catalogue: readonly CatalogueReason[] }) {
  const { t, lang } = useI18n();
  const { rows, rest } = capRows(paretoRows(reasons, (r) => r.count), MAX_BARS);
  if (rows.length === 0) return <p className="placeholder" data-testid="reject-pareto-empty">{t('loss.noRejects')}</p>;
  const data: Datum[] = rows.map((r) => {
    const label = reasonText(r.item.reason, catalogue, lang, t, 'reject');
    return { key: r.item.reason, label, sub: '', source: null, value: r.value, text: String(r.value), sharePct: r.sharePct, cumulativePct: r.cumulativePct };
  });
  if (rest) data.push({ key: 'rest', label: t('loss.more', { count: rest.count }), sub: '', source: null, value: rest.value, text: String(rest.value), sharePct: rest.sharePct, cumulativePct: 100 });
  return (
    <div className="chart-block" data-testid="reject-pareto">
      <ParetoChart data={data} fill={(d) => (d.key === 'rest' ? REST_COLOUR : REJECT_COLOUR)} valueAxis={t('fig.rejects')} integer describe={`${t('loss.rejectReasons')}: ${describeRows(data, t)}`} />
      <ul className="legend">
        <li>
          <span className="legend-swatch" style={{ background: REJECT_COLOUR }} />
          {t('fig.rejects')}
        </li>
        <li>
          <span className="legend-line" style={{ background: CHART.target }} />
          {t('loss.cumulative')}
        </li>
      </ul>
    </div>
  );
}

function describeRows(data: Datum[], t: Translate): string {
  return data.map((d) => `${d.label}${d.source ? ` (${t(`source.${d.source}`)})` : ''} ${d.text}, ${t('loss.cumulativeAt', { pct: pct(d.cumulativePct) })}`).join('; ');
}

interface ChartProps {
  data: Datum[];
  fill(d: Datum): string;
  valueAxis: string;
  integer?: boolean;
  describe: string;
  children?: ReactNode;
}

/** Bars most first on the left axis, the cumulative share as a line on the right one (0–100 %). */
function ParetoChart({ data, fill, valueAxis, integer, describe, children }: ChartProps) {
  const { t } = useI18n();
  const byKey = new Map(data.map((d) => [d.key, d]));
  return (
    <div className="chart chart-pareto" role="img" aria-label={describe}>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={{ top: 12, right: 10, bottom: 0, left: 0 }}>
          {children}
          <CartesianGrid stroke={CHART.grid} strokeDasharray="3 3" vertical={false} />
          <XAxis
            dataKey="key"
            stroke={CHART.axis}
            interval={0}
            height={data.some((d) => d.sub) ? 58 : 44}
            tick={
              <LabelTick
                label={(key) => {
                  const d = byKey.get(key);
                  return d ? { text: d.label, sub: d.sub || undefined } : null;
                }}
              />
            }
          />
          <YAxis yAxisId="value" stroke={CHART.axis} width={44} allowDecimals={!integer} label={{ value: valueAxis, angle: -90, position: 'insideLeft', fill: CHART.axis, fontSize: 12, dy: 40 }} />
          <YAxis yAxisId="cum" orientation="right" domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} stroke={CHART.axis} width={46} tickFormatter={(v: number) => `${v}%`} />
          <Tooltip cursor={{ fill: 'rgba(255,255,255,0.06)' }} content={<ParetoTooltip />} />
          <Bar yAxisId="value" dataKey="value" isAnimationActive={false} name={valueAxis}>
            {data.map((d) => (
              <Cell key={d.key} fill={fill(d)} stroke={d.source === 'none' ? SOURCE_COLOUR.none : undefined} data-source={d.source ?? undefined} />
            ))}
          </Bar>
          <Line yAxisId="cum" dataKey="cumulativePct" name={t('loss.cumulative')} stroke={CHART.target} strokeWidth={2} dot={{ r: 3, fill: CHART.target }} isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}

function ParetoTooltip({ active, payload }: { active?: boolean; payload?: readonly { payload?: unknown }[] }) {
  const { t } = useI18n();
  const d = payload?.[0]?.payload as Datum | undefined;
  if (!active || !d) return null;
  return (
    <div className="chart-tooltip" style={TOOLTIP_STYLE}>
      <strong className="untrusted">{d.label}</strong>
      {d.source ? ` · ${SOURCE_ICON[d.source]} ${t(`source.${d.source}`)}` : ''}
      <br />
      {d.text} · {t('loss.share', { pct: pct(d.sharePct) })} · {t('loss.cumulativeAt', { pct: pct(d.cumulativePct) })}
    </div>
  );
}
