// Small statistics for noisy machines: medians of repetitions, nearest-rank percentiles, rounding.

export function median(xs: readonly number[]): number {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Nearest-rank percentile (the value at rank ceil(p/100 × n), ascending), as in CONTRACT §2. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return sorted[Math.min(n, rank) - 1];
}

export function sortedCopy(xs: ArrayLike<number>): Float64Array {
  const a = Float64Array.from(xs as ArrayLike<number>);
  a.sort();
  return a;
}

export function round(x: number, digits = 0): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Spread of repetitions as min–max, for the detail lines. */
export function spread(xs: readonly number[], digits = 0): string {
  const v = xs.filter((x) => Number.isFinite(x));
  if (v.length === 0) return 'n/a';
  return `${round(Math.min(...v), digits)}–${round(Math.max(...v), digits)}`;
}

/** Least-squares slope of y over x. */
export function slope(x: readonly number[], y: readonly number[]): number {
  const n = Math.min(x.length, y.length);
  if (n < 2) return Number.NaN;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i];
    sy += y[i];
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (x[i] - mx) * (y[i] - my);
    den += (x[i] - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

/** Least-squares slope of y over x with its standard error. */
export function slopeWithError(x: readonly number[], y: readonly number[]): { slope: number; se: number } {
  const n = Math.min(x.length, y.length);
  const b = slope(x, y);
  if (n < 3 || !Number.isFinite(b)) return { slope: b, se: Number.NaN };
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] / n;
    my += y[i] / n;
  }
  let sxx = 0;
  let sse = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sse += (y[i] - (my + b * (x[i] - mx))) ** 2;
  }
  return { slope: b, se: Math.sqrt(sse / (n - 2) / sxx) };
}
