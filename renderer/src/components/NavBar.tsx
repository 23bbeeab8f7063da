import type { MessageKey } from '../i18n.ts';
import { useI18n } from '../i18nContext.tsx';
import { routeHref, type Route } from '../routes.ts';

interface Props {
  route: Route;
  /** Where "Line" leads: the line last opened, or the first live line. */
  lineId: string | null;
  showSettings: boolean;
}

interface NavItem {
  screen: Route['screen'];
  label: MessageKey;
  href: string;
}

export function NavBar({ route, lineId, showSettings }: Props) {
  const { t } = useI18n();
  const items: NavItem[] = [
    { screen: 'overview', label: 'nav.overview', href: routeHref({ screen: 'overview' }) },
    { screen: 'line', label: 'nav.line', href: routeHref({ screen: 'line', lineId }) },
    { screen: 'history', label: 'nav.history', href: routeHref({ screen: 'history' }) },
    { screen: 'diagnostics', label: 'nav.diagnostics', href: routeHref({ screen: 'diagnostics' }) },
  ];
  if (showSettings) items.push({ screen: 'settings', label: 'nav.settings', href: routeHref({ screen: 'settings' }) });
  return (
    <nav className="nav" aria-label={t('nav.label')}>
      {items.map((item) => (
        <a
          key={item.screen}
          href={item.href}
          data-testid={`nav-${item.screen}`}
          className={route.screen === item.screen ? 'nav-link active' : 'nav-link'}
          aria-current={route.screen === item.screen ? 'page' : undefined}
        >
          {t(item.label)}
        </a>
      ))}
    </nav>
  );
}
