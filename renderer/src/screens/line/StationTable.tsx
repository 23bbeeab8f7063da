import type { LiveStation } from '../../../../shared/api.ts';
import { formatDateTime, formatMs } from '../../display.ts';
import { useI18n } from '../../i18nContext.tsx';

interface Props {
  stations: LiveStation[];
  bottleneck: string | null;
  timezone: string;
  testId?: string;
}

export function StationTable({ stations, bottleneck, timezone, testId = 'station-table' }: Props) {
  const { t } = useI18n();
  return (
    <table className="table stations" data-testid={testId}>
      <thead>
        <tr>
          <th>{t('col.station')}</th>
          <th>{t('col.state')}</th>
          <th className="num">{t('col.lastCycle')}</th>
          <th className="num">{t('col.meanCycle')}</th>
          <th>{t('col.stale')}</th>
          <th>{t('col.lastSeen')}</th>
        </tr>
      </thead>
      <tbody>
        {stations.map((s) => {
          const isBottleneck = s.id === bottleneck;
          const state = s.state ?? 'unknown';
          return (
            <tr key={s.id} data-testid="station-row" data-station={s.id} data-bottleneck={isBottleneck ? 'true' : undefined} className={isBottleneck ? 'bottleneck' : undefined}>
              <td>
                {s.id}
                {isBottleneck ? <span className="tag tag-bottleneck">{t('line.bottleneck')}</span> : null}
                {s.configured ? null : <span className="tag tag-unconfigured">{t('line.unconfiguredStations')}</span>}
              </td>
              <td>
                <span className={`state-chip state-chip-${state}`} data-state={state}>
                  {t(`stationState.${state}`)}
                </span>
              </td>
              <td className="num">{formatMs(s.lastCycleMs)}</td>
              <td className="num">{formatMs(s.meanCycleMs)}</td>
              <td className={s.stale ? 'stale' : undefined} data-stale={s.stale}>
                {s.stale ? `⚠ ${t('common.yes')}` : t('common.no')}
              </td>
              <td>{formatDateTime(s.lastSeen, timezone)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
