import type { AndonAlert } from '../../../../shared/api.ts';
import { alertDetail, formatDuration, kindKey, levelClass } from '../../andon/andonView.ts';
import { Icon } from '../../components/Icon.tsx';
import { formatClock } from '../../display.ts';
import { useI18n } from '../../i18nContext.tsx';

/**
 * The andon alerts of a line in the view's windows (CONTRACT §6.1: open and closed alerts are kept and shown
 * in History): when each opened, who acknowledged it and when, when it closed, and how long it was open.
 * An alert still open says so, with its duration so far.
 */
export function AlertsTable({ alerts, timezone }: { alerts: AndonAlert[]; timezone: string }) {
  const { t, lang } = useI18n();
  const rows = [...alerts].sort((a, b) => a.openedAt - b.openedAt || a.id - b.id);
  return (
    <div className="history-alerts" data-testid="history-alerts">
      <h3>{t('history.alerts')}</h3>
      {rows.length === 0 ? (
        <p className="note">{t('history.noAlerts')}</p>
      ) : (
        <div className="table-scroll">
          <table className="table compact" data-testid="history-alerts-table">
            <thead>
              <tr>
                <th scope="col">{t('col.alert')}</th>
                <th scope="col">{t('col.station')}</th>
                <th scope="col">{t('col.level')}</th>
                <th scope="col">{t('col.opened')}</th>
                <th scope="col">{t('col.acknowledged')}</th>
                <th scope="col">{t('col.closed')}</th>
                <th scope="col" className="num">
                  {t('col.duration')}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <tr key={a.id} data-testid="history-alert" data-alert-id={a.id} data-kind={a.kind} data-open={a.closedAt === null ? 'true' : 'false'} className={`andon-row level-${levelClass(a.level)}`}>
                  <td>
                    <span className="andon-row-kind">
                      <Icon name={a.kind} /> {t(kindKey(a.kind))}
                    </span>
                    <span className="figure-sub">{alertDetail(lang, a, timezone)}</span>
                  </td>
                  <td>{a.station ?? '—'}</td>
                  <td className="nowrap">{t('andon.level', { level: a.level })}</td>
                  <td className="nowrap">{formatClock(a.openedAt, timezone)}</td>
                  <td>{a.ackBy ? t('history.ackedByAt', { who: a.ackBy, time: formatClock(a.ackAt, timezone) }) : t('history.notAcked')}</td>
                  <td className="nowrap">{a.closedAt === null ? <span className="tag tag-warn">{t('history.stillOpen')}</span> : formatClock(a.closedAt, timezone)}</td>
                  <td className="num nowrap">
                    {a.closedAt === null ? t('history.soFar', { duration: formatDuration(lang, Date.now() - a.openedAt) }) : formatDuration(lang, a.closedAt - a.openedAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
