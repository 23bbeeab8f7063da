import type { LiveLine, LiveSnapshot } from '../../../../shared/api.ts';
import { useI18n } from '../../i18nContext.tsx';
import { routeHref } from '../../routes.ts';
import { DEFAULT_WALL } from '../wall/wallParams.ts';
import { FeedsPanel } from './FeedsPanel.tsx';
import { LineCard } from './LineCard.tsx';

/** Configured lines keep their configured order; lines only telemetry knows come after them. */
export function orderLines(lines: LiveLine[]): LiveLine[] {
  return [...lines.filter((l) => l.configured), ...lines.filter((l) => !l.configured)];
}

export function OverviewScreen({ snapshot }: { snapshot: LiveSnapshot | null }) {
  const { t } = useI18n();
  if (!snapshot) return <p className="placeholder">{t('overview.waiting')}</p>;
  if (snapshot.lines.length === 0) return <p className="placeholder">{t('overview.empty')}</p>;
  const lines = orderLines(snapshot.lines);
  return (
    <>
      {/* The line cards are the page; the heading is for screen readers and the document outline. */}
      <h1 className="sr-only">{t('overview.title')}</h1>
      <div className="overview-tools">
        <a className="button-link" href={routeHref({ screen: 'wall', params: DEFAULT_WALL })} data-testid="open-wall">
          {t('wall.open')}
        </a>
      </div>
      <section className="overview" aria-label={t('overview.title')}>
        {lines.map((line) => (
          <LineCard key={line.id} line={line} timezone={snapshot.timezone} />
        ))}
      </section>
      <FeedsPanel feeds={snapshot.feeds ?? []} lines={lines} />
    </>
  );
}
