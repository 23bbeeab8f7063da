import type { LiveLine } from '../../../../shared/api.ts';
import { Icon } from '../../components/Icon.tsx';
import { formatCount, formatTaktS } from '../../display.ts';
import { formatDuration } from '../../andon/andonView.ts';
import { useI18n } from '../../i18nContext.tsx';

type Forecast = NonNullable<LiveLine['forecast']>;

/**
 * Looking ahead (issue 11): where the shift lands at the recent pace (the band from the slow p95 takt to the
 * usual p50), and the takt that would still make the target — or that it is made, or out of reach. Words and
 * an icon carry the outlook; the colour repeats it. The core computes every number; this only says them.
 */
export function ForecastView({ forecast, className }: { forecast: Forecast | null; className?: string }) {
  const { t, lang } = useI18n();
  if (!forecast) return null;
  const { low, high, catchUpTaktS, outlook, plannedLeftS } = forecast;
  const band =
    low === null || high === null ? t('forecast.noBand') : low === high ? t('forecast.units', { units: formatCount(low) }) : t('forecast.band', { low: formatCount(Math.min(low, high)), high: formatCount(Math.max(low, high)) });
  return (
    <div className={`forecast outlook-${outlook}${className ? ` ${className}` : ''}`} data-testid="forecast" data-outlook={outlook} data-catch-up={catchUpTaktS ?? ''}>
      <div className="forecast-band">
        <span className="forecast-label">{t('forecast.title')}</span>{' '}
        <span className="forecast-units" data-testid="forecast-band" data-low={low ?? ''} data-high={high ?? ''}>
          {band}
        </span>
      </div>
      <div className="forecast-outlook" data-testid="forecast-outlook">
        <Icon name={outlook === 'unknown' ? 'behind' : outlook} />
        <strong>{outlookWords(outlook, catchUpTaktS, t)}</strong>
        {outlookDetail(outlook, catchUpTaktS, plannedLeftS, t) ? <span className="forecast-detail">{outlookDetail(outlook, catchUpTaktS, plannedLeftS, t)}</span> : null}
      </div>
      <div className="forecast-left">{t('forecast.left', { time: formatDuration(lang, plannedLeftS * 1000) })}</div>
    </div>
  );
}

type T = ReturnType<typeof useI18n>['t'];

function outlookWords(outlook: Forecast['outlook'], catchUp: number | null, t: T): string {
  switch (outlook) {
    case 'made':
      return t('forecast.made');
    case 'on_pace':
      return t('forecast.onPace');
    case 'out_of_reach':
      return t('forecast.outOfReach');
    default:
      return catchUp === null ? t('forecast.noCatchUp') : t('forecast.catchUp', { takt: formatTaktS(catchUp) });
  }
}

function outlookDetail(outlook: Forecast['outlook'], catchUp: number | null, leftS: number, t: T): string | null {
  switch (outlook) {
    case 'on_pace':
      return catchUp === null ? null : t('forecast.onPaceDetail', { takt: formatTaktS(catchUp) });
    case 'behind':
      return t('forecast.behindDetail');
    case 'out_of_reach':
      return leftS <= 0 || catchUp === null ? t('forecast.noTimeLeft') : t('forecast.outOfReachDetail', { takt: formatTaktS(catchUp) });
    case 'unknown':
      return t('forecast.unknownDetail');
    default:
      return null;
  }
}
