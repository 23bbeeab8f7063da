// (6) Screens in Debian's Chromium (driven by Playwright, never a downloaded browser), against serve with
// 10 live lines fed by `taktboard simulate`:
// - first rendered Overview: from navigation start until all 10 line cards are in the DOM and a frame has
//   been painted after that (MutationObserver + requestAnimationFrame, on the page's own clock), in a new
//   browser context each time (no cache);
// - main-thread busy time while live: the renderer main thread's TaskDuration (Chrome DevTools Protocol
//   Performance.getMetrics) over wall windows of a few seconds, with snapshots arriving twice a second.
import { chromium, type Browser } from '@playwright/test';
import { median } from '../lib/stats.ts';
import { sleep } from '../lib/procs.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface ScreensResult {
  firstRenderMs: number[];
  fcpMs: number[];
  busy: { busyPct: number; scriptPct: number; layoutPct: number; stylePct: number; windowS: number }[];
  cards: number;
}

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
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
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
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
    const metrics = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return Object.fromEntries(metrics.map((m) => [m.name, m.value])) as Record<string, number>;
    };
    for (let w = 0; w < opts.windows; w++) {
      const a = await metrics();
      await sleep(opts.windowMs);
      const b = await metrics();
      const dt = b.Timestamp - a.Timestamp;
      const share = (k: string) => (100 * (b[k] - a[k])) / dt;
      r.busy.push({ busyPct: share('TaskDuration'), scriptPct: share('ScriptDuration'), layoutPct: share('LayoutDuration'), stylePct: share('RecalcStyleDuration'), windowS: dt });
    }
    opts.log(`  main thread busy while live: ${r.busy.map((b) => b.busyPct.toFixed(1)).join(', ')} % (script ${median(r.busy.map((b) => b.scriptPct)).toFixed(1)} %, layout ${median(r.busy.map((b) => b.layoutPct)).toFixed(1)} %, style ${median(r.busy.map((b) => b.stylePct)).toFixed(1)} %)`);
    await ctx.close();
  } finally {
    await browser.close();
  }
  return r;
}
