import type { ConnectionState } from '../../../shared/api.ts';
import type { TransportStatus } from '../api/client.ts';
import { connectionView } from '../connection.ts';
import { formatClock } from '../display.ts';
import { useI18n } from '../i18nContext.tsx';

interface Props {
  transport: TransportStatus;
  broker: ConnectionState | null;
  brokerWasConnected: boolean;
  timezone: string;
}

/** Always visible: an operator must know whether the numbers on screen are current. */
export function ConnectionBadge({ transport, broker, brokerWasConnected, timezone }: Props) {
  const { t, tWords } = useI18n();
  const view = connectionView(transport, broker);
  const label =
    view === 'unreachable'
      ? t('conn.unreachable')
      : view === 'connecting'
        ? t(brokerWasConnected ? 'conn.reconnecting' : 'conn.connecting')
        : t(view === 'connected' ? 'conn.connected' : 'conn.offline');
  const brokerError = view !== 'unreachable' && view !== 'connected' && broker?.error ? tWords(broker.errorWords, broker.error) : null;
  return (
    <div className={`connection connection-${view}`} data-testid="connection-status" data-status={view} role="status" aria-label={t('conn.label')}>
      <span className="connection-dot" aria-hidden="true" />
      <span className="connection-label">{label}</span>
      {brokerError ? <span className="connection-error">{brokerError}</span> : null}
      {broker && view !== 'unreachable' ? (
        <span className="connection-since" title={broker.url}>
          {t('conn.since', { time: formatClock(broker.since, timezone) })}
        </span>
      ) : null}
    </div>
  );
}
