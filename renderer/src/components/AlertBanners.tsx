import type { Alert } from '../../../shared/api.ts';
import { formatClock } from '../display.ts';
import { useI18n } from '../i18nContext.tsx';

/** Problems the operator must act on (storage full, broker refusing us), in words, above every screen. */
export function AlertBanners({ alerts, timezone }: { alerts: Alert[]; timezone: string }) {
  const { t, tWords } = useI18n();
  if (alerts.length === 0) return null;
  return (
    <div className="alerts" role="alert">
      {alerts.map((alert) => (
        <div key={`${alert.code}-${alert.since}`} className={`alert alert-${alert.code}`} data-testid="alert-banner" data-code={alert.code}>
          <strong className="alert-title">{t(`alert.${alert.code}`)}</strong>
          {alert.message ? <span className="alert-detail">{tWords(alert.words, alert.message)}</span> : null}
          <span className="alert-since">{t('conn.since', { time: formatClock(alert.since, timezone) })}</span>
        </div>
      ))}
    </div>
  );
}
