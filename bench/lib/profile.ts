// Reads a V8 .cpuprofile (node --cpu-prof) and sums self time per function and per category, so the
// bench can say where serve's time went (profile evidence, not guesses).
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Share of the wall time in each category. */
  categories: Record<string, number>;
  /** Top functions by self time: share of wall time, and share of busy (non-idle) time. */
  top: { fn: string; where: string; selfPct: number; busyPct: number }[];
  /** Self + descendants of the function names asked for, share of busy time. */
  inclusive: Record<string, number>;
}

function category(url: string, fn: string): string {
  if (fn === '(idle)') return 'idle';
  if (fn === '(garbage collector)') return 'gc';
  if (fn === '(program)') return 'program (native, incl. SQLite and syscalls)';
  if (url.includes('better-sqlite3')) return 'better-sqlite3 (JS side)';
  if (url.includes('/node_modules/mqtt') || url.includes('mqtt-packet')) return 'mqtt.js';
  if (url.includes('/node_modules/zod')) return 'zod';
  if (url.includes('/node_modules/ws/')) return 'ws';
  if (url.includes('/main/core/store/')) return 'taktboard store';
  if (url.includes('/main/core/ingest/')) return 'taktboard ingest';
  if (url.includes('/main/core/live')) return 'taktboard live';
  if (url.includes('/main/') || url.includes('/shared/')) return 'taktboard other';
  if (url.startsWith('node:') || url === '') return fn.startsWith('(') ? fn : 'node core / native';
  return 'other JS';
}

export function summarizeProfile(file: string, inclusiveNames: string[] = []): ProfileSummary {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i + 1] ?? 0;
    self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + dt);
  }
  const total = p.endTime - p.startTime;
  const cats: Record<string, number> = {};
  const fns = new Map<string, { fn: string; where: string; us: number }>();
  const incl: Record<string, number> = Object.fromEntries(inclusiveNames.map((n) => [n, 0]));
  let idle = 0;
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    const fn = functionName || '(anonymous)';
    const cat = category(url, fn);
    if (cat === 'idle') idle += us;
    cats[cat] = (cats[cat] ?? 0) + us;
    const where = url ? `${path.relative(process.cwd(), url.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : '';
    const key = `${fn}@${where}`;
    const e = fns.get(key) ?? { fn, where, us: 0 };
    e.us += us;
    fns.set(key, e);
    if (inclusiveNames.length) {
      const seen = new Set<string>();
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const name = byId.get(cur)!.callFrame.functionName;
        if (name in incl && !seen.has(name)) {
          seen.add(name);
          incl[name] += us;
        }
      }
    }
  }
  const busy = Math.max(1, total - idle);
  return {
    file,
    totalMs: total / 1000,
    categories: Object.fromEntries(Object.entries(cats).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round((1000 * v) / total) / 10])),
    top: [...fns.values()]
      .filter((f) => f.fn !== '(idle)')
      .sort((a, b) => b.us - a.us)
      .slice(0, 15)
      .map((f) => ({ fn: f.fn, where: f.where, selfPct: Math.round((1000 * f.us) / total) / 10, busyPct: Math.round((1000 * f.us) / busy) / 10 })),
    inclusive: Object.fromEntries(Object.entries(incl).map(([k, v]) => [k, Math.round((1000 * v) / busy) / 10])),
  };
}

/** The newest .cpuprofile in a folder. */
export function newestProfile(dir: string): string | null {
  if (!fs.existsSync(dir)) return null;
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(dir, f));
  files.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return files[0] ?? null;
}
