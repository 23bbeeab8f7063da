// "seen 2 min ago": the elapsed time as a count of its largest whole unit, for words in either language.

export type AgoUnit = 'now' | 's' | 'min' | 'h' | 'd';

/** Under 10 s is "just now"; a clock a little ahead of the viewer's (negative) is "just now" too. */
export function agoParts(elapsedMs: number): { unit: AgoUnit; n: number } {
  if (!Number.isFinite(elapsedMs) || elapsedMs < 10_000) return { unit: 'now', n: 0 };
  const s = Math.floor(elapsedMs / 1000);
  if (s < 60) return { unit: 's', n: s };
  const min = Math.floor(s / 60);
  if (min < 60) return { unit: 'min', n: min };
  const h = Math.floor(min / 60);
  if (h < 48) return { unit: 'h', n: h };
  return { unit: 'd', n: Math.floor(h / 24) };
}
