import type { Diagnostics } from '../../../../shared/api.ts';
import { agoParts } from '../../ago.ts';
import { formatCount, formatDateTime, revealInvisible } from '../../display.ts';
import { useI18n, type Translate } from '../../i18nContext.tsx';
import { routeHref } from '../../routes.ts';

interface Props {
  d: Diagnostics;
  timezone: string;
}

export function ago(ts: number, now: number, t: Translate): string {
  const { unit, n } = agoParts(now - ts);
  return unit === 'now' ? t('ago.now') : t(`ago.${unit}`, { n });
}

/** Stations (and lines) telemetry names that the newest configuration version does not list (CONTRACT §1.4). */
export function UnconfiguredPanel({ d, timezone }: Props) {
  const { t } = useI18n();
  const now = Date.now();
  return (
    <div className="panel wide" data-testid="diag-unconfigured">
      <h2>
        {t('diag.unconfigured')}
        {d.unconfigured.length > 0 ? <span className="tag tag-warn">⚠ {formatCount(d.unconfigured.length)}</span> : null}
      </h2>
      {d.unconfigured.length === 0 ? (
        <p className="note">{t('diag.noUnconfigured')}</p>
      ) : (
        <>
          <p className="note">{t('diag.unconfiguredNote')}</p>
          <table className="table compact">
            <thead>
              <tr>
                <th>{t('col.line')}</th>
                <th>{t('col.station')}</th>
                <th>{t('col.firstSeen')}</th>
                <th className="num">{t('col.messages')}</th>
              </tr>
            </thead>
            <tbody>
              {d.unconfigured.map((u) => (
                <tr key={`${u.line}/${u.station}`} data-testid="unconfigured-row" data-line={u.line} data-station={u.station}>
                  <td>
                    <bdi className="untrusted">{revealInvisible(u.line)}</bdi>
                    {u.lineConfigured ? null : <span className="tag">{t('diag.lineUnknown')}</span>}
                  </td>
                  <td>
                    <bdi className="untrusted">{revealInvisible(u.station)}</bdi>
                  </td>
                  <td className="nowrap">
                    <time dateTime={new Date(u.firstSeen).toISOString()} title={formatDateTime(u.firstSeen, timezone)}>
                      {t('diag.seen', { ago: ago(u.firstSeen, now, t) })}
                    </time>
                  </td>
                  <td className="num">{formatCount(u.messages)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {/* Settings offers each of them with sensible defaults (adoption, issue 13). */}
          <p>
            <a className="button-link" href={routeHref({ screen: 'settings' })} data-testid="adopt-in-settings">
              {t('diag.adoptInSettings')}
            </a>
          </p>
        </>
      )}
    </div>
  );
}
