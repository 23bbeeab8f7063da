// Adoption (issue 13 item 2): a line or station that telemetry names and the configuration does not becomes a
// line or station of the form in one step, with defaults a plant would pick — the stations in the order they
// were first seen, the last one as the output, the target takt from the line's median interval.
import type { AdoptionHint } from '../../../../shared/api.ts';
import { numText, type FormModel, type LineForm } from './formModel.ts';

/** Without telemetry to go by, a line starts at a minute per unit (and says so). */
export const FALLBACK_TAKT_S = 60;

/** The median interval rounded to two significant digits (0.987 → 0.99, 1.02 → 1, 58.7 → 59, 125 → 130); null without one. */
export function suggestedTakt(medianIntervalS: number | null): number | null {
  if (medianIntervalS === null || !Number.isFinite(medianIntervalS) || medianIntervalS <= 0) return null;
  const rounded = Number(medianIntervalS.toPrecision(2));
  return Math.min(Math.max(rounded, 0.01), 86_400);
}

export type HintState = 'new' | 'in-form';

/** Whether the form already has what the hint offers (adopted, not saved yet). */
export function hintState(form: FormModel, hint: AdoptionHint): HintState {
  const line = form.lines.find((l) => l.id === hint.line);
  if (!line) return 'new';
  if (hint.station === null) return 'in-form';
  return line.stations.includes(hint.station) ? 'in-form' : 'new';
}

export interface Adopted {
  form: FormModel;
  /** The line the hint became or joined. */
  lineIndex: number;
  /** The target is a guess (no cycles to take it from): the form says so. */
  taktGuessed: boolean;
}

/** A whole new line from its telemetry. */
export function adoptLine(form: FormModel, hint: AdoptionHint): Adopted {
  const existing = form.lines.findIndex((l) => l.id === hint.line);
  if (existing >= 0) return { form, lineIndex: existing, taktGuessed: false };
  const stations = hint.stations.length ? [...hint.stations] : [hint.station ?? 'station-1'];
  const takt = suggestedTakt(hint.medianIntervalS);
  const line: LineForm = {
    id: hint.line,
    name: hint.line,
    targetTaktS: numText(takt ?? FALLBACK_TAKT_S),
    idealCycleS: '',
    outputStation: stations[stations.length - 1],
    stations,
    smallStopAfterS: '',
    stopAfterS: '',
  };
  return { form: { ...form, lines: [...form.lines, line] }, lineIndex: form.lines.length, taktGuessed: takt === null };
}

/** A station of a configured line: added after its stations (the output station stays as it is). */
export function adoptStation(form: FormModel, hint: AdoptionHint): Adopted {
  if (hint.station === null) return adoptLine(form, hint);
  const i = form.lines.findIndex((l) => l.id === hint.line);
  if (i < 0) return adoptLine(form, { ...hint, stations: [hint.station] });
  const line = form.lines[i];
  if (line.stations.includes(hint.station)) return { form, lineIndex: i, taktGuessed: false };
  const next = { ...line, stations: [...line.stations, hint.station] };
  return { form: { ...form, lines: form.lines.map((l, j) => (j === i ? next : l)) }, lineIndex: i, taktGuessed: false };
}

export function adopt(form: FormModel, hint: AdoptionHint): Adopted {
  return hint.station === null ? adoptLine(form, hint) : adoptStation(form, hint);
}
