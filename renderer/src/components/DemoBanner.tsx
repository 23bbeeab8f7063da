import { useEffect } from 'react';
import type { LiveSnapshot } from '../../../shared/api.ts';
import { useI18n } from '../i18nContext.tsx';

/**
 * A band across the top of every screen while the demo runs: simulated figures must never be taken for a
 * plant's. It cannot be dismissed, and says why the demo runs when a plant configuration could not be used.
 */
export function DemoBanner({ mode, reason }: { mode: LiveSnapshot['mode'] | undefined; reason: string | null | undefined }) {
  const { t } = useI18n();
  const marker = mode === 'demo' ? t('demo.marker') : null;
  // The window title and a browser tab say it too, so a screenshot or a tab list cannot lose it.
  useEffect(() => {
    if (!marker) return;
    const before = document.title;
    document.title = `${marker} · ${before}`;
    return () => {
      document.title = before;
    };
  }, [marker]);
  if (mode !== 'demo') return null;
  return (
    <div className="demo-band" data-testid="demo-marker" role="note" aria-label={t('demo.marker')}>
      <strong className="demo-title">{t('demo.marker')}</strong>
      <span className="demo-detail">{t('demo.detail')}</span>
      {reason ? (
        <span className="demo-reason" data-testid="demo-reason">
          {t('demo.reason', { reason })}
        </span>
      ) : null}
    </div>
  );
}
