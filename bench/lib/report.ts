// The bench's figures and the Markdown table they are printed as (and copied into the README from).

export interface Goal {
  op: '>=' | '<' | '<=';
  target: number;
  unit: string;
}

export interface Figure {
  id: string;
  section: string;
  name: string;
  value: number;
  unit: string;
  /** How the value is shown (defaults to value + unit). */
  shown?: string;
  goal?: Goal;
  /** The ratio column: against the raw limit of the same run, or the goal. */
  ratio?: string;
  /** Spread of the repetitions, the raw numbers, what was measured how. */
  detail?: string;
}

export function passes(f: Figure): boolean | null {
  if (!f.goal || !Number.isFinite(f.value)) return f.goal ? false : null;
  const { op, target } = f.goal;
  return op === '>=' ? f.value >= target : op === '<' ? f.value < target : f.value <= target;
}

export function fmt(x: number, unit = ''): string {
  if (!Number.isFinite(x)) return 'n/a';
  const abs = Math.abs(x);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  const s = x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 }).replace(/,/g, ' ');
  return unit ? `${s} ${unit}` : s;
}

function goalText(g: Goal): string {
  const op = g.op === '>=' ? '≥' : g.op === '<' ? '<' : '≤';
  return `${op} ${fmt(g.target, g.unit)}`;
}

export function markdownTable(figures: Figure[]): string {
  const rows = [
    '| # | figure | value | goal | ratio | result |',
    '| --- | --- | ---: | --- | --- | --- |',
  ];
  for (const f of figures) {
    const p = passes(f);
    rows.push(
      `| ${f.section} | ${f.name} | ${f.shown ?? fmt(f.value, f.unit)} | ${f.goal ? goalText(f.goal) : '—'} | ${f.ratio ?? '—'} | ${p === null ? 'info' : p ? 'PASS' : '**FAIL**'} |`,
    );
  }
  return rows.join('\n');
}

export function pct(x: number): string {
  return Number.isFinite(x) ? `${Math.round(x * 100)} %` : 'n/a';
}
