import type { LiveLine, LiveSnapshot } from '../../../../shared/api.ts';
import { useI18n } from '../../i18nContext.tsx';
import { LineCard } from './LineCard.tsx';

/** Configured lines keep their configured order; lines only telemetry knows come after them. */
export function orderLines(lines: LiveLine[]): LiveLine[] {
  return [...lines.filter((l) => l.configured), ...lines.filter((l) => !l.configured)];
}

export function OverviewScreen({ snapshot }: { snapshot: LiveSnapshot | null }) {
  const { t } = useI18n();
  if (!snapshot) return <p className="placeholder">{t('overview.waiting')}</p>;
  if (snapshot.lines.length === 0) return <p className="placeholder">{t('overview.empty')}</p>;
  return (
    <section className="overview" aria-label={t('overview.title')}>
      {orderLines(snapshot.lines).map((line) => (
        <LineCard key={line.id} line={line} timezone={snapshot.timezone} />
      ))}
    </section>
  );
}
