import type { LiveFeed } from '../hooks/useLiveFeed.ts';
import { useI18n } from '../i18nContext.tsx';
import type { Route } from '../routes.ts';
import { AlertBanners } from './AlertBanners.tsx';
import { ConnectionBadge } from './ConnectionBadge.tsx';
import { DemoBanner } from './DemoBanner.tsx';
import { LanguageSwitch } from './LanguageSwitch.tsx';
import { NavBar } from './NavBar.tsx';

interface Props {
  feed: LiveFeed;
  route: Route;
  lineId: string | null;
  showSettings: boolean;
  timezone: string;
}

export function Header({ feed, route, lineId, showSettings, timezone }: Props) {
  const { t } = useI18n();
  return (
    <header className={feed.snapshot?.mode === 'demo' ? 'header demo' : 'header'}>
      <DemoBanner mode={feed.snapshot?.mode} reason={feed.snapshot?.modeReason} />
      <div className="header-bar">
        <a className="app-name" href="#/overview">
          {t('app.name')}
          {feed.snapshot?.site ? <span className="site-name">{feed.snapshot.site}</span> : null}
        </a>
        <NavBar route={route} lineId={lineId} showSettings={showSettings} />
        <ConnectionBadge transport={feed.transport} broker={feed.broker} brokerWasConnected={feed.brokerWasConnected} timezone={timezone} />
        <LanguageSwitch />
      </div>
      <AlertBanners alerts={feed.snapshot?.alerts ?? []} timezone={timezone} />
    </header>
  );
}
