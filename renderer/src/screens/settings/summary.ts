// The engine's summary of a configuration change (shared/versions.ts summarizeChange: "line added: x;
// targetTaktS of x: 1 → 0.9; shifts changed") comes in English only: its parts are matched here and said in
// the UI language, with field and section names as Settings labels them. A part not matched stays English.

export type SummaryPart =
  | { key: string; vars: Record<string, string>; fieldKey?: string; sectionKey?: string }
  | { key: null; text: string };

const PATTERNS: { re: RegExp; key: string; names: string[] }[] = [
  { re: /^no change$/, key: 'st.sum.none', names: [] },
  { re: /^first version: (\d+) line\(s\), (\d+) shift\(s\)$/, key: 'st.sum.first', names: ['lines', 'shifts'] },
  { re: /^line added: (.+)$/, key: 'st.sum.lineAdded', names: ['line'] },
  { re: /^line removed: (.+)$/, key: 'st.sum.lineRemoved', names: ['line'] },
  { re: /^stations added to (\S+): (.+)$/, key: 'st.sum.stationsAdded', names: ['line', 'stations'] },
  { re: /^stations removed from (\S+): (.+)$/, key: 'st.sum.stationsRemoved', names: ['line', 'stations'] },
  { re: /^stations of (\S+) reordered$/, key: 'st.sum.stationsReordered', names: ['line'] },
  { re: /^(\w+) of (\S+): (.*) → (.*)$/, key: 'st.sum.lineField', names: ['field', 'line', 'from', 'to'] },
  { re: /^(\w+) changed$/, key: 'st.sum.sectionChanged', names: ['section'] },
];

/** The summary's parts ("; "-separated), each as a key of settingsText.ts with its values, or as English. */
export function summaryParts(summary: string): SummaryPart[] {
  if (!summary) return [];
  return summary.split('; ').map((text) => {
    for (const { re, key, names } of PATTERNS) {
      const m = re.exec(text);
      if (!m) continue;
      const vars = Object.fromEntries(names.map((n, i) => [n, m[i + 1]]));
      if (key === 'st.sum.lineField') return { key, vars, fieldKey: `lines.${vars.field}` };
      if (key === 'st.sum.sectionChanged') return { key, vars, sectionKey: vars.section };
      return { key, vars };
    }
    return { key: null, text };
  });
}
