// Chart colours (SVG attributes cannot read CSS variables); kept in step with styles.css.
import type { StateSegment } from '../../shared/api.ts';
import type { TaktStatus } from './display.ts';

export const CHART = {
  grid: '#2a3442',
  axis: '#9fb0c3',
  line: '#5cc8ff',
  target: '#ffd166',
  units: '#5cc8ff',
  targetUnits: '#ffd166',
} as const;

/** Recharts tooltips on the panel colour (styles.css --panel). */
export const TOOLTIP_STYLE = { background: '#111821', border: `1px solid ${CHART.grid}` } as const;

export const TAKT_COLOUR: Record<TaktStatus, string> = {
  on: '#3ddc84',
  near: '#ffb020',
  over: '#ff5c5c',
  none: '#9fb0c3',
};

export const STATE_COLOUR: Record<StateSegment['state'], string> = {
  running: '#3ddc84',
  idle: '#6b7c93',
  starved: '#ffb020',
  blocked: '#c08bff',
  down: '#ff3b3b',
  changeover: '#4da3ff',
  planned_stop: '#8a96a8',
  unknown: '#3a4656',
};
