import { useClient } from '../../clientContext.tsx';
import { LoadError } from '../../components/LoadError.tsx';
import { formatDateTime, revealInvisible } from '../../display.ts';
import { usePolling } from '../../hooks/usePolling.ts';
import { useI18n } from '../../i18nContext.tsx';
import { ChangeSummary } from '../settings/SavePanel.tsx';

const REFRESH_MS = 30_000;

/** Every configuration version recorded (CONTRACT §2.1), newest first, the one today's figures use marked. */
export function ConfigVersionsPanel({ timezone }: { timezone: string }) {
  const { t } = useI18n();
  const client = useClient();
  const history = usePolling(() => client.configHistory({}), 'configHistory', REFRESH_MS);
  const data = history.data;
  return (
    <div className="panel wide" data-testid="diag-config-versions">
      <h2>{t('diag.configVersions')}</h2>
      {history.error && !data ? <LoadError message={history.error} onRetry={history.reload} /> : null}
      {!data ? (
        history.loading ? <p className="note">{t('app.loading')}</p> : null
      ) : data.versions.length === 0 ? (
        <p className="note">{t('diag.noVersions')}</p>
      ) : (
        <table className="table compact">
          <thead>
            <tr>
              <th>{t('col.effectiveDate')}</th>
              <th>{t('col.recordedAt')}</th>
              <th>{t('col.recordedBy')}</th>
              <th>{t('col.summary')}</th>
            </tr>
          </thead>
          <tbody>
            {[...data.versions].sort((a, b) => b.id - a.id).map((v) => {
              const today = v.id === data.todayVersionId;
              return (
                <tr key={v.id} className={today ? 'current' : undefined} data-testid="config-version" data-today={today ? 'true' : undefined}>
                  <td className="nowrap">
                    {v.effectiveDate}
                    {today ? <span className="tag tag-current">✓ {t('diag.inEffectToday')}</span> : null}
                  </td>
                  <td className="nowrap">{formatDateTime(v.recordedAt, timezone)}</td>
                  <td>
                    <bdi className="untrusted">{revealInvisible(v.recordedBy)}</bdi>
                  </td>
                  <td>
                    <ChangeSummary parts={v.summaryWords} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
