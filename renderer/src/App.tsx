import { useEffect, useState } from 'react';
import type { TaktboardClient } from './api/client.ts';
import { ClientContext } from './clientContext.tsx';
import { Header } from './components/Header.tsx';
import { AndonBanner } from './components/AndonBanner.tsx';
import { useAndonSignals } from './andon/useAndonSignals.ts';
import { useLiveFeed, type LiveFeed } from './hooks/useLiveFeed.ts';
import { useRoute } from './hooks/useRoute.ts';
import { useI18n } from './i18nContext.tsx';
import type { Route } from './routes.ts';
import { DiagnosticsScreen } from './screens/diagnostics/DiagnosticsScreen.tsx';
import { HistoryScreen } from './screens/history/HistoryScreen.tsx';
import { LineScreen } from './screens/line/LineScreen.tsx';
import { OverviewScreen, orderLines } from './screens/overview/OverviewScreen.tsx';
import { SettingsScreen } from './screens/settings/SettingsScreen.tsx';
import { useTheme } from './screens/settings/theme.ts';
import { WallScreen } from './screens/wall/WallScreen.tsx';

/** Until the first snapshot names the plant's timezone, the viewer's own is the best guess. */
const VIEWER_TIMEZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function App({ client }: { client: TaktboardClient }) {
  const feed = useLiveFeed(client);
  const route = useRoute();
  const lineId = useRememberedLine(route, feed);
  const timezone = feed.snapshot?.timezone ?? VIEWER_TIMEZONE;
  const unreachable = feed.transport === 'down';
  const andon = useAndonSignals(client, feed.snapshot);
  // The theme chosen in Settings (this browser or window only) applies from the first screen on.
  useTheme();
  // The wall display is the whole screen: no header or navigation; its tiles carry the andon.
  if (route.screen === 'wall') {
    return (
      <ClientContext.Provider value={client}>
        <WallScreen feed={feed} params={route.params} signals={andon} />
      </ClientContext.Provider>
    );
  }
  return (
    <ClientContext.Provider value={client}>
      <div className="top-bars">
        <Header feed={feed} route={route} lineId={lineId} showSettings timezone={timezone} />
        <AndonBanner alerts={feed.snapshot?.andon ?? []} lines={feed.snapshot?.lines ?? []} timezone={timezone} now={feed.snapshot?.ts ?? 0} signals={andon} />
      </div>
      <main className={unreachable ? 'main stale' : 'main'} aria-busy={unreachable}>
        {unreachable ? <UnreachableHint /> : null}
        <Screen route={route} feed={feed} lineId={lineId} client={client} timezone={timezone} />
      </main>
    </ClientContext.Provider>
  );
}

/** "Line" in the nav returns to the line last opened, or else the first one on the Overview. */
function useRememberedLine(route: Route, feed: LiveFeed): string | null {
  const [last, setLast] = useState<string | null>(null);
  const routed = route.screen === 'line' ? route.lineId : null;
  useEffect(() => {
    if (routed) setLast(routed);
  }, [routed]);
  return routed ?? last ?? orderLines(feed.snapshot?.lines ?? [])[0]?.id ?? null;
}

function Screen({ route, feed, lineId, client, timezone }: { route: Route; feed: LiveFeed; lineId: string | null; client: TaktboardClient; timezone: string }) {
  switch (route.screen) {
    case 'line':
      return <LineScreen lineId={lineId} snapshot={feed.snapshot} />;
    case 'history':
      return <HistoryScreen />;
    case 'diagnostics':
      return <DiagnosticsScreen timezone={timezone} />;
    case 'settings':
      // The same Settings everywhere: editable on the desktop and with a supervisor's token, read-only otherwise.
      return <SettingsScreen />;
    default:
      return <OverviewScreen snapshot={feed.snapshot} />;
  }
}

function UnreachableHint() {
  const { t } = useI18n();
  return (
    <p className="stale-hint" role="alert">
      {t('app.unreachableHint')}
    </p>
  );
}
