// (6) Screens in Debian's Chromium (driven by Playwright, never a downloaded browser), against serve with
// 10 live lines fed by `taktboard simulate`:
// - first rendered Overview: from navigation start until all 10 line cards are in the DOM and a frame has
//   been painted after that (MutationObserver + requestAnimationFrame, on the page's own clock), in a new
//   browser context each time (no cache);
// - main-thread busy time while live: the renderer main thread's TaskDuration (Chrome DevTools Protocol
//   Performance.getMetrics) over wall windows of a few seconds, with snapshots arriving ~3 times a second.
// And the wall (issue 11): `#/wall` with 30 live lines, at its default (2 tiles a page, a page every 15 s)
// and with `?per=6`, on a 1920×1080 hall screen: main-thread busy the same way, over windows that span a
// page turn (3 × 5 s against the 15 s rotation).
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { benchConfig, STATIONS, type PlantOptions } from '../lib/plant.ts';
import { fmt, type Figure } from '../lib/report.ts';
import { median, spread } from '../lib/stats.ts';
import { PRODUCT_ROOT, sleep, spawnTracked, stopProcess } from '../lib/procs.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Busy {
  busyPct: number;
  scriptPct: number;
  layoutPct: number;
  stylePct: number;
  windowS: number;
}

export interface ScreensResult {
  firstRenderMs: number[];
  fcpMs: number[];
  busy: Busy[];
  cards: number;
}

/**
 * `taktboard simulate` publishing a config's lines (5 stations each) to the broker, live after 10 minutes of
 * backfill (the sparklines have history); resolves once serve has stored most of the backfill (`stored`: its
 * committed rows) and the live feed has gone on for 2 s.
 */
export async function startSimulator(opts: { brokerUrl: string; config: string; lines: number; stored: () => number }): Promise<{ stop(): Promise<void> }> {
  const sim = spawnTracked(process.execPath, [path.join(PRODUCT_ROOT, 'bin', 'taktboard.mjs'), 'simulate', '--broker', opts.brokerUrl, '--config', opts.config, '--backfill', '10m', '--seed', '7'], {
    cwd: PRODUCT_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let out = '';
  sim.stderr!.on('data', (d) => (out = (out + d).slice(-5000)));
  const stop = async () => void (await stopProcess(sim, 'SIGTERM', 5000));
  try {
    // Backfill stored (lines × 5 stations × ~600 s) and the live feed going.
    const want = opts.lines * STATIONS.length * 500;
    const until = performance.now() + 60_000 + opts.lines * 2000;
    while (performance.now() < until && opts.stored() < want && sim.exitCode === null) await sleep(200);
    if (opts.stored() < want) throw new Error(`simulate did not fill the ${opts.lines} lines (stored ${opts.stored()} of ${want}):\n${out}`);
    await sleep(2000);
    return { stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** The renderer main thread's busy share over `windows` wall windows of `windowMs` (DevTools Performance.getMetrics). */
async function busyWindows(ctx: BrowserContext, page: Page, windows: number, windowMs: number): Promise<Busy[]> {
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
  const metrics = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return Object.fromEntries(metrics.map((m) => [m.name, m.value])) as Record<string, number>;
  };
  const out: Busy[] = [];
  for (let w = 0; w < windows; w++) {
    const a = await metrics();
    await sleep(windowMs);
    const b = await metrics();
    const dt = b.Timestamp - a.Timestamp;
    const share = (k: string) => (100 * (b[k] - a[k])) / dt;
    out.push({ busyPct: share('TaskDuration'), scriptPct: share('ScriptDuration'), layoutPct: share('LayoutDuration'), stylePct: share('RecalcStyleDuration'), windowS: dt });
  }
  return out;
}

const describeBusy = (busy: Busy[]) =>
  `${busy.map((b) => b.busyPct.toFixed(1)).join(', ')} % (script ${median(busy.map((b) => b.scriptPct)).toFixed(1)} %, layout ${median(busy.map((b) => b.layoutPct)).toFixed(1)} %, style ${median(busy.map((b) => b.stylePct)).toFixed(1)} %)`;

declare global {
  interface Window {
    __tbOverviewMs?: number;
  }
}

function watchForCards(n: number): void {
  const check = () => {
    if (window.__tbOverviewMs !== undefined) return true;
    const cards = document.querySelectorAll('[data-testid="line-card"]');
    if (cards.length < n) return false;
    // Cards with their live figures filled in, then the next painted frame.
    requestAnimationFrame(() => {
      setTimeout(() => {
        if (window.__tbOverviewMs === undefined) window.__tbOverviewMs = performance.now();
      }, 0);
    });
    return true;
  };
  const start = () => {
    if (check()) return;
    const obs = new MutationObserver(() => {
      if (check()) obs.disconnect();
    });
    obs.observe(document.documentElement, { childList: true, subtree: true });
  };
  if (document.documentElement) start();
  else document.addEventListener('DOMContentLoaded', start);
}

export async function runScreens(url: string, opts: { loads: number; windows: number; windowMs: number; lines: number; log: (s: string) => void }): Promise<ScreensResult> {
  const browser = await launch();
  const r: ScreensResult = { firstRenderMs: [], fcpMs: [], busy: [], cards: 0 };
  try {
    for (let i = 0; i < opts.loads; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await ctx.newPage();
      await page.addInitScript(watchForCards, opts.lines);
      await page.goto(url, { waitUntil: 'commit' });
      await page.waitForFunction(() => window.__tbOverviewMs !== undefined, null, { timeout: 30_000 });
      const ms = await page.evaluate(() => window.__tbOverviewMs!);
      const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN);
      r.firstRenderMs.push(ms);
      r.fcpMs.push(fcp);
      await ctx.close();
    }
    opts.log(`  first rendered Overview with ${opts.lines} live lines: ${r.firstRenderMs.map((x) => Math.round(x)).join(', ')} ms (first contentful paint ${r.fcpMs.map((x) => Math.round(x)).join(', ')} ms)`);

    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await ctx.newPage();
    await page.addInitScript(watchForCards, opts.lines);
    await page.goto(url);
    await page.waitForFunction(() => window.__tbOverviewMs !== undefined, null, { timeout: 30_000 });
    r.cards = await page.locator('[data-testid="line-card"]').count();
    await sleep(2000);
    r.busy = await busyWindows(ctx, page, opts.windows, opts.windowMs);
    opts.log(`  main thread busy while live: ${describeBusy(r.busy)}`);
    await ctx.close();
  } finally {
    await browser.close();
  }
  return r;
}

// ---- the wall (issue 11) ---------------------------------------------------------------------------

export const WALL_LINES = 30;
/** The wall's default (2 tiles a page, a page every 15 s) and its fullest page. */
const WALL_VIEWS = [
  { hash: '#/wall', per: 2, what: 'default: 2 tiles a page, turning every 15 s' },
  { hash: '#/wall?per=6', per: 6, what: 'per=6: 6 tiles a page, turning every 15 s' },
] as const;

/** The bench plant (plant.ts: its line shape, stations, shifts) with `lines` lines, cell-01 … cell-NN. */
export function widePlant(lines: number): (who: { clientId: string; brokerUrl: string }) => PlantOptions {
  return (who) => {
    const shape = benchConfig({ ...who, lines: 1 }).lines[0];
    return { ...who, extra: { lines: Array.from({ length: lines }, (_, i) => ({ ...shape, id: `cell-${String(i + 1).padStart(2, '0')}`, name: `Cell line ${i + 1}` })) } };
  };
}

export interface WallResult {
  lines: number;
  views: { hash: string; per: number; what: string; pages: number; tiles: number; turns: number; busy: Busy[] }[];
}

declare global {
  interface Window {
    __tbWallTurns?: number;
  }
}

export async function runWall(url: string, opts: { windows: number; windowMs: number; lines: number; log: (s: string) => void }): Promise<WallResult> {
  const browser = await launch();
  const r: WallResult = { lines: opts.lines, views: [] };
  try {
    for (const view of WALL_VIEWS) {
      const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
      const page = await ctx.newPage();
      await page.goto(url + view.hash);
      const pages = Math.ceil(opts.lines / view.per);
      // Every line in the snapshot (all pages there) and the first page's tiles drawn.
      await page.waitForFunction(
        ([pages, per]) => document.querySelector('[data-testid="wall"]')?.getAttribute('data-pages') === String(pages) && document.querySelectorAll('[data-testid="wall-tile"]').length === per,
        [pages, view.per] as const,
        { timeout: 30_000 },
      );
      await sleep(2000);
      // Page turns while measured (data-page changes on the wall's root).
      await page.evaluate(() => {
        window.__tbWallTurns = 0;
        new MutationObserver(() => void (window.__tbWallTurns! += 1)).observe(document.querySelector('[data-testid="wall"]')!, { attributes: true, attributeFilter: ['data-page'] });
      });
      const busy = await busyWindows(ctx, page, opts.windows, opts.windowMs);
      const turns = await page.evaluate(() => window.__tbWallTurns ?? 0);
      const tiles = await page.locator('[data-testid="wall-tile"]').count();
      r.views.push({ hash: view.hash, per: view.per, what: view.what, pages, tiles, turns, busy });
      opts.log(`  wall ${view.hash} (${opts.lines} lines, ${pages} pages of ${view.per}; ${turns} page turn${turns === 1 ? '' : 's'} while measured): main thread busy ${describeBusy(busy)}`);
      await ctx.close();
    }
  } finally {
    await browser.close();
  }
  return r;
}

export function wallFigures(x: WallResult): Figure[] {
  return x.views.map((v) => {
    const busy = median(v.busy.map((b) => b.busyPct));
    return {
      id: v.per === 2 ? 'wall.main_thread_busy' : `wall.main_thread_busy_per${v.per}`,
      section: '6',
      name: `Wall: main-thread busy while live, \`${v.hash}\` with ${x.lines} lines (${v.what}), 1920×1080`,
      value: busy,
      unit: '%',
      shown: `${busy.toFixed(1)} % (${Math.round(busy * 10)} ms/s)`,
      goal: { op: '<', target: 30, unit: '%' },
      ratio: `${(busy / 30).toFixed(2)}× goal; ${v.turns} page turn${v.turns === 1 ? '' : 's'} in ${fmt(v.busy.reduce((s, b) => s + b.windowS, 0), 's')}`,
      detail: `windows ${spread(v.busy.map((b) => b.busyPct), 1)} %; script ${median(v.busy.map((b) => b.scriptPct)).toFixed(1)} %, layout ${median(v.busy.map((b) => b.layoutPct)).toFixed(1)} %, style ${median(v.busy.map((b) => b.stylePct)).toFixed(1)} %; ${v.pages} pages of ${v.per}`,
    };
  });
}
