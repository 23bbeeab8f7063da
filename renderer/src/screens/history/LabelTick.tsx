import { CHART } from '../../palette.ts';
import { wrapLabel } from './losses.ts';

/** About how wide a Latin character is, as a share of the font size. */
const UNIT_PER_PX = 0.58;

export interface TickLabel {
  text: string;
  /** A second line in the axis colour (the Pareto's source in words), or none. */
  sub?: string;
}

interface Props {
  x?: number;
  y?: number;
  payload?: { value?: unknown };
  width?: number;
  visibleTicksCount?: number;
  label(value: string): TickLabel | null;
  lines?: number;
  fontSize?: number;
}

/** A category label wrapped to the width of its category, so neighbours never run into each other; the whole label as its title. */
export function LabelTick({ x, y, payload, width, visibleTicksCount, label, lines = 2, fontSize = 12 }: Props) {
  const value = String(payload?.value ?? '');
  const l = label(value);
  if (!l || x === undefined || y === undefined) return null;
  const perCategory = width && visibleTicksCount ? width / visibleTicksCount : 80;
  const text = wrapLabel(l.text, (perCategory - 4) / (fontSize * UNIT_PER_PX), lines);
  const linePx = fontSize + 2;
  return (
    <g transform={`translate(${x},${y + 12})`} data-label={l.text}>
      <title>{l.sub ? `${l.text} · ${l.sub}` : l.text}</title>
      {text.map((line, i) => (
        <text key={i} textAnchor="middle" y={i * linePx} fill="#eef3f8" fontSize={fontSize}>
          {line}
        </text>
      ))}
      {l.sub ? (
        <text textAnchor="middle" y={text.length * linePx} fill={CHART.axis} fontSize={fontSize - 1}>
          {l.sub}
        </text>
      ) : null}
    </g>
  );
}
