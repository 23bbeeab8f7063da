import { Component, useCallback, useEffect, useState, type ReactNode } from 'react';
import { alertsOfLine } from '../../andon/andonView.ts';
import type { AndonSignals } from '../../andon/useAndonSignals.ts';
import { AndonControls } from '../../components/AndonBanner.tsx';
import { ConnectionBadge } from '../../components/ConnectionBadge.tsx';
import { DemoBanner } from '../../components/DemoBanner.tsx';
import { Icon } from '../../components/Icon.tsx';
import { formatClock, formatClockSeconds } from '../../display.ts';
import type { LiveFeed } from '../../hooks/useLiveFeed.ts';
import { otherLanguage } from '../../i18n.ts';
import { useI18n } from '../../i18nContext.tsx';
import { orderLines } from '../overview/OverviewScreen.tsx';
import { gridOf, pagesOf, perPage, selectLines, turnPage, wallHref, type WallParams } from './wallParams.ts';
import { WallTile } from './WallTile.tsx';

interface Props {
  feed: LiveFeed;
  params: WallParams;
  signals: AndonSignals;
}

/**
 * `#/wall`: a hall display. No navigation or header: the lines fill the screen in type sized for 5 m (see
 * styles.css, wall block), pages rotate when they do not fit on one (wallParams.ts states the rule), an open
 * alert takes over its line's tile. It keeps the last data on screen while the link is down and says so,
 * and comes back by itself when the server does.
 */
export function WallScreen(props: Props) {
  return (
    <WallErrorBoundary>
      <Wall {...props} />
    </WallErrorBoundary>
  );
}

function usePortrait(): boolean {
  const query = '(orientation: portrait)';
  const [portrait, setPortrait] = useState(() => typeof window !== 'undefined' && window.matchMedia?.(query).matches === true);
  useEffect(() => {
    const m = window.matchMedia?.(query);
    if (!m) return;
    const on = () => setPortrait(m.matches);
    m.addEventListener('change', on);
    return () => m.removeEventListener('change', on);
  }, []);
  return portrait;
}

function Wall({ feed, params, signals }: Props) {
  const { t, lang, setLang } = useI18n();
  const snapshot = feed.snapshot;
  const portrait = usePortrait();

  // `lang=` in the address picks the language once (and is remembered, like the switch).
  useEffect(() => {
    if (params.lang) setLang(params.lang);
  }, [params.lang, setLang]);

  const timezone = snapshot?.timezone ?? 'UTC';
  const { shown, missing } = selectLines(orderLines(snapshot?.lines ?? []), params.lines);
  const per = perPage(params.per);
  const pages = pagesOf(shown, per);
  const grid = gridOf(Math.min(per, Math.max(1, shown.length)), portrait);

  const [page, setPage] = useState(0);
  const [paused, setPaused] = useState(false);
  // Seconds the current page has been shown; the page turns when it reaches rotateS.
  const [shownFor, setShownFor] = useState(0);
  const current = Math.min(page, pages.length - 1);
  const rotating = params.rotateS > 0 && !paused && pages.length > 1;

  const go = useCallback(
    (step: 1 | -1) => {
      setPage((p) => turnPage(Math.min(p, pages.length - 1), pages.length, step));
      setShownFor(0);
    },
    [pages.length],
  );

  useEffect(() => {
    if (!rotating) return;
    const timer = setInterval(() => setShownFor((s) => s + 1), 1000);
    return () => clearInterval(timer);
  }, [rotating]);
  useEffect(() => {
    if (rotating && shownFor >= params.rotateS) go(1);
  }, [rotating, shownFor, params.rotateS, go]);
  const left = Math.max(1, params.rotateS - shownFor);

  const setTheme = useCallback(() => {
    window.location.replace(wallHref({ ...params, theme: params.theme === 'dark' ? 'light' : 'dark' }));
  }, [params]);
  const switchLang = useCallback(() => {
    const next = otherLanguage(lang);
    setLang(next);
    if (params.lang) window.location.replace(wallHref({ ...params, lang: next }));
  }, [lang, params, setLang]);

  // Keys for a keyboard on the wall PC: arrows or Page Up/Down turn pages, P pauses, T switches the theme.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key === 'ArrowRight' || e.key === 'PageDown') go(1);
      else if (e.key === 'ArrowLeft' || e.key === 'PageUp') go(-1);
      else if (e.key === 'p' || e.key === 'P') setPaused((v) => !v);
      else if (e.key === 't' || e.key === 'T') setTheme();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [go, setTheme]);

  const andon = snapshot?.andon ?? [];
  const pagesWithAlerts = pages.flatMap((p, i) => (p.some((l) => andon.some((a) => a.line === l.id)) ? [i] : []));
  const unreachable = feed.transport === 'down';

  return (
    <div className={`wall theme-${params.theme}${unreachable ? ' stale' : ''}`} data-testid="wall" data-theme={params.theme} data-page={current} data-pages={pages.length}>
      <header className="wall-top">
        <h1 className="sr-only">{t('wall.title', { site: snapshot?.site ?? t('app.name') })}</h1>
        <DemoBanner mode={snapshot?.mode} reason={snapshot?.modeReason} />
        {unreachable ? (
          <p className="wall-reconnecting" role="status" data-testid="wall-reconnecting">
            <Icon name="reconnect" /> {snapshot ? t('wall.reconnecting', { time: formatClockSeconds(snapshot.ts, timezone) }) : t('wall.unreachable')}
          </p>
        ) : null}
      </header>
      <main className={`wall-grid cols-${grid.columns} rows-${grid.rows} s${Math.round(grid.scale * 100)}`} aria-label={t('wall.lines')} aria-busy={unreachable}>
        {!snapshot ? (
          <p className="wall-placeholder" data-testid="wall-waiting">
            <Icon name="reconnect" /> {unreachable ? t('wall.unreachable') : t('wall.connecting')}
          </p>
        ) : shown.length === 0 ? (
          <p className="wall-placeholder">{t('wall.noLines')}</p>
        ) : (
          pages[current].map((line) => <WallTile key={line.id} line={line} alerts={alertsOfLine(andon, line.id)} timezone={timezone} now={snapshot.ts} />)
        )}
      </main>
      <footer className="wall-foot">
        <span className="wall-clock" data-testid="wall-clock">
          {snapshot?.site ? <span className="wall-site">{snapshot.site}</span> : null} {snapshot ? formatClock(snapshot.ts, timezone) : ''}
        </span>
        <ConnectionBadge transport={feed.transport} broker={feed.broker} brokerWasConnected={feed.brokerWasConnected} timezone={timezone} />
        {missing.length ? (
          <span className="wall-missing" data-testid="wall-missing">
            <Icon name="warning" /> {t('wall.missingLines', { ids: missing.join(', ') })}
          </span>
        ) : null}
        <nav className="wall-controls" aria-label={t('wall.controls')}>
          {pages.length > 1 ? (
            <>
              <span className="wall-page" data-testid="wall-page" aria-live="off">
                {t('wall.page', { page: current + 1, pages: pages.length })}
                {rotating ? ` · ${t('wall.nextIn', { s: left })}` : ''}
              </span>
              {pagesWithAlerts.some((i) => i !== current) ? (
                <span className="wall-page-alerts" data-testid="wall-page-alerts">
                  <Icon name="warning" /> {t('wall.alertsOnPages', { pages: pagesWithAlerts.filter((i) => i !== current).map((i) => i + 1).join(', ') })}
                </span>
              ) : null}
              <button type="button" onClick={() => go(-1)} aria-label={t('wall.previous')} data-testid="wall-prev">
                <Icon name="prev" />
              </button>
              {params.rotateS > 0 ? (
                <button type="button" onClick={() => setPaused((v) => !v)} aria-pressed={paused} data-testid="wall-pause">
                  <Icon name={paused ? 'play' : 'pause'} /> {t('wall.hold')}
                </button>
              ) : null}
              <button type="button" onClick={() => go(1)} aria-label={t('wall.next')} data-testid="wall-next">
                <Icon name="next" />
              </button>
            </>
          ) : null}
          <button type="button" onClick={setTheme} data-testid="wall-theme">
            <Icon name={params.theme === 'dark' ? 'sun' : 'moon'} /> {params.theme === 'dark' ? t('wall.themeLight') : t('wall.themeDark')}
          </button>
          <button type="button" onClick={switchLang} lang={otherLanguage(lang)} data-testid="wall-lang">
            {t('lang.switchTo')}
          </button>
          <AndonControls signals={signals} wall />
        </nav>
      </footer>
    </div>
  );
}

/** A render error must not leave a hall display blank: it says so and reloads itself after a while. */
class WallErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false };
  private timer: ReturnType<typeof setTimeout> | undefined;
  static getDerivedStateFromError() {
    return { failed: true };
  }
  componentDidCatch() {
    this.timer = setTimeout(() => window.location.reload(), 30_000);
  }
  componentWillUnmount() {
    if (this.timer) clearTimeout(this.timer);
  }
  render() {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="wall theme-dark">
        <p className="wall-placeholder" role="alert">
          <Icon name="reconnect" /> Taktboard · 节拍看板 — reloading…
        </p>
      </div>
    );
  }
}
