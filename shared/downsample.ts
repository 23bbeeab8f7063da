// Chart series are cut to ~1 000 points before they leave the core (DESIGN "Show"): recharts draws SVG.

/**
 * Largest-Triangle-Three-Buckets (Steinarsson, 2013): keeps the first and last point and, from each
 * of threshold − 2 equal buckets in between, the point that spans the largest triangle with the point
 * kept before it and the mean of the next bucket. Peaks and stops survive, unlike with averaging.
 * Returns `points` itself when it has no more than `threshold` points; below 3 there are no buckets,
 * so only the ends are kept.
 */
export function lttb(points: [number, number][], threshold: number): [number, number][] {
  const n = points.length;
  const target = Math.floor(threshold);
  if (n <= target) return points;
  if (target < 3) return target <= 0 ? [] : target === 1 ? [points[0]] : [points[0], points[n - 1]];

  const out: [number, number][] = [points[0]];
  const every = (n - 2) / (target - 2);
  let a = 0;
  for (let i = 0; i < target - 2; i++) {
    const nextStart = Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += points[j][0];
      avgY += points[j][1];
    }
    const count = nextEnd - nextStart;
    avgX /= count;
    avgY /= count;

    const [ax, ay] = points[a];
    let best = -1;
    let bestArea = -1;
    for (let j = Math.floor(i * every) + 1; j < nextStart; j++) {
      // Twice the triangle's area; the factor does not change which point is largest.
      const area = Math.abs((ax - avgX) * (points[j][1] - ay) - (ax - points[j][0]) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out.push(points[best]);
    a = best;
  }
  out.push(points[n - 1]);
  return out;
}
