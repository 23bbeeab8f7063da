import { memo } from 'react';
import type { BrokerStatus, Diagnostics } from '../../../../shared/api.ts';
import { useClient } from '../../clientContext.tsx';
import { LoadError } from '../../components/LoadError.tsx';
import { formatBytes, formatCount, formatDateTime, revealInvisible } from '../../display.ts';
import { usePolling } from '../../hooks/usePolling.ts';
import type { MessageKey } from '../../i18n.ts';
import { useI18n } from '../../i18nContext.tsx';
import { ConfigVersionsPanel } from './ConfigVersionsPanel.tsx';
import { EnginePanel, IngestPanel } from './EnginePanel.tsx';
import { UnconfiguredPanel } from './UnconfiguredPanel.tsx';

const REFRESH_MS = 5_000;
/** Beyond a couple of seconds, a station's timestamps start landing in the wrong takt interval. */
const SKEW_WARN_MS = 2_000;

interface ScreenProps {
  timezone: string;
}

/** Memoised: the live feed re-renders the app several times a second, this screen polls on its own. */
export const DiagnosticsScreen = memo(function DiagnosticsScreen({ timezone }: ScreenProps) {
  const { t } = useI18n();
  const client = useClient();
  const diag = usePolling(() => client.diagnostics({}), 'diagnostics', REFRESH_MS);
  return (
    <section className="diagnostics" data-testid="diagnostics-screen">
      <h1 className="screen-title">{t('diag.title')}</h1>
      {diag.error ? <LoadError message={diag.error} words={diag.errorWords} onRetry={diag.reload} /> : null}
      {diag.data ? (
        <DiagnosticsBody d={diag.data} timezone={timezone} />
      ) : diag.loading ? (
        <p className="placeholder">{t('app.loading')}</p>
      ) : null}
    </section>
  );
});

const BROKER_STATUS_TEXT: Record<BrokerStatus, MessageKey> = { connected: 'conn.connected', connecting: 'conn.connecting', offline: 'conn.offline' };

function DiagnosticsBody({ d, timezone }: { d: Diagnostics } & ScreenProps) {
  return (
    <div className="diag-grid">
      <BrokerPanel d={d} timezone={timezone} />
      <CountersPanel d={d} />
      <DatabasePanel d={d} timezone={timezone} />
      <IngestPanel d={d} />
      <EnginePanel d={d} />
      <UnconfiguredPanel d={d} timezone={timezone} />
      <ConfigVersionsPanel timezone={timezone} />
      <QuarantinePanel d={d} timezone={timezone} />
      <GapsPanel d={d} timezone={timezone} />
      <ClockSkewPanel d={d} />
    </div>
  );
}

/** Untrusted text from the network: escaped by React, with hidden characters made visible. */
function Untrusted({ text }: { text: string }) {
  return <bdi className="untrusted">{revealInvisible(text)}</bdi>;
}

function BrokerPanel({ d, timezone }: { d: Diagnostics; timezone: string }) {
  const { t, tWords } = useI18n();
  return (
    <div className="panel" data-testid="diag-broker">
      <h2>{t('diag.broker')}</h2>
      <dl className="kv">
        <dt>{t('col.status')}</dt>
        <dd data-status={d.broker.status}>
          {t(BROKER_STATUS_TEXT[d.broker.status])} · {t('conn.since', { time: formatDateTime(d.broker.since, timezone) })}
        </dd>
        <dt>{t('diag.brokerUrl')}</dt>
        <dd>
          <Untrusted text={d.broker.url} />
        </dd>
        {d.broker.error ? (
          <>
            <dt>{t('col.error')}</dt>
            <dd className="error-text">
              <Untrusted text={tWords(d.broker.errorWords, d.broker.error)} />
            </dd>
          </>
        ) : null}
      </dl>
      <h3>{t('diag.brokerHistory')}</h3>
      <table className="table compact">
        <thead>
          <tr>
            <th>{t('col.time')}</th>
            <th>{t('col.status')}</th>
            <th>{t('col.error')}</th>
          </tr>
        </thead>
        <tbody>
          {[...d.brokerHistory].reverse().map((h, i) => (
            <tr key={`${h.ts}-${i}`}>
              <td className="nowrap">{formatDateTime(h.ts, timezone)}</td>
              <td className="nowrap" data-status={h.status}>{t(BROKER_STATUS_TEXT[h.status])}</td>
              <td>{h.error ? <Untrusted text={tWords(h.errorWords, h.error)} /> : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CountersPanel({ d }: { d: Diagnostics }) {
  const { t } = useI18n();
  const rows: [MessageKey, number, string][] = [
    ['diag.received', d.counters.received, 'received'],
    ['diag.stored', d.counters.stored, 'stored'],
    ['diag.duplicates', d.counters.duplicates, 'duplicates'],
    ['diag.quarantined', d.counters.quarantined, 'quarantined'],
    ['diag.gapsMissing', d.counters.gapsMissing, 'gapsMissing'],
  ];
  return (
    <div className="panel" data-testid="diag-counters">
      <h2>{t('diag.counters')}</h2>
      <dl className="kv">
        {rows.map(([label, value, id]) => (
          <div key={id} className="kv-row">
            <dt>{t(label)}</dt>
            <dd className="num" data-testid={`counter-${id}`} data-value={value}>
              {formatCount(value)}
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

function DatabasePanel({ d, timezone }: { d: Diagnostics; timezone: string }) {
  const { t } = useI18n();
  const check = d.db.lastQuickCheck;
  const backup = d.db.lastBackup;
  return (
    <div className="panel" data-testid="diag-db">
      <h2>{t('diag.database')}</h2>
      <dl className="kv">
        <dt>{t('diag.dbPath')}</dt>
        <dd className="path">{d.db.path}</dd>
        <dt>{t('diag.dbSize')}</dt>
        <dd>{formatBytes(d.db.sizeBytes)}</dd>
        <dt>{t('diag.dbWal')}</dt>
        <dd>{formatBytes(d.db.walBytes)}</dd>
        <dt>{t('diag.dbSync')}</dt>
        <dd>{d.db.synchronous}</dd>
        <dt>{t('diag.dbLastCheck')}</dt>
        <dd className={check && !check.ok ? 'error-text' : undefined}>
          {!check
            ? t('common.never')
            : check.ok
              ? t('diag.checkOk', { time: formatDateTime(check.ts, timezone) })
              : t('diag.checkFailed', { time: formatDateTime(check.ts, timezone), detail: revealInvisible(check.detail) })}
        </dd>
        <dt>{t('diag.dbLastBackup')}</dt>
        <dd className="path">{backup ? t('diag.backupAt', { time: formatDateTime(backup.ts, timezone), path: backup.path }) : t('common.never')}</dd>
      </dl>
    </div>
  );
}

function QuarantinePanel({ d, timezone }: { d: Diagnostics; timezone: string }) {
  const { t, tWords } = useI18n();
  return (
    <div className="panel wide" data-testid="diag-quarantine">
      <h2>{t('diag.quarantineByReason')}</h2>
      {d.quarantineByReason.length === 0 ? (
        <p className="note">{t('common.none')}</p>
      ) : (
        <table className="table compact">
          <thead>
            <tr>
              <th>{t('col.reason')}</th>
              <th className="num">{t('col.count')}</th>
            </tr>
          </thead>
          <tbody>
            {d.quarantineByReason.map((r) => (
              <tr key={r.reason}>
                <td>
                  <Untrusted text={tWords(r.words, r.reason)} />
                </td>
                <td className="num">{formatCount(r.count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{t('diag.quarantineLatest')}</h2>
      <p className="note">{t('diag.quarantineNote')}</p>
      {d.quarantine.length === 0 ? (
        <p className="note">{t('common.none')}</p>
      ) : (
        <table className="table compact quarantine" data-testid="quarantine-table">
          <thead>
            <tr>
              <th>{t('col.time')}</th>
              <th>{t('col.topic')}</th>
              <th>{t('col.reason')}</th>
              <th>{t('col.payload')}</th>
            </tr>
          </thead>
          <tbody>
            {d.quarantine.map((q, i) => (
              <tr key={`${q.receivedAt}-${i}`}>
                <td className="nowrap">{formatDateTime(q.receivedAt, timezone)}</td>
                <td>
                  <Untrusted text={q.topic} />
                </td>
                <td>
                  <Untrusted text={tWords(q.words, q.reason)} />
                </td>
                <td>
                  <code className="payload">
                    <Untrusted text={q.payload} />
                  </code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function GapsPanel({ d, timezone }: { d: Diagnostics; timezone: string }) {
  const { t } = useI18n();
  return (
    <div className="panel wide" data-testid="diag-gaps">
      <h2>{t('diag.gaps')}</h2>
      {d.gaps.length === 0 ? (
        <p className="note">{t('history.noGaps')}</p>
      ) : (
        <table className="table compact">
          <thead>
            <tr>
              <th>{t('col.time')}</th>
              <th>{t('col.line')}</th>
              <th>{t('col.station')}</th>
              <th>{t('col.boot')}</th>
              <th className="num">{t('col.seq')}</th>
              <th className="num">{t('col.missing')}</th>
            </tr>
          </thead>
          <tbody>
            {d.gaps.map((g, i) => (
              <tr key={`${g.line}-${g.station}-${g.boot}-${g.fromSeq}-${i}`}>
                <td className="nowrap">{formatDateTime(g.detectedAt, timezone)}</td>
                <td>{g.line}</td>
                <td>{g.station}</td>
                <td>
                  <Untrusted text={g.boot} />
                </td>
                <td className="num">
                  {g.fromSeq}–{g.toSeq}
                </td>
                <td className="num">{formatCount(g.missing)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function ClockSkewPanel({ d }: { d: Diagnostics }) {
  const { t } = useI18n();
  return (
    <div className="panel" data-testid="diag-skew">
      <h2>{t('diag.clockSkew')}</h2>
      {d.clockSkew.length === 0 ? (
        <p className="note">{t('common.none')}</p>
      ) : (
        <table className="table compact">
          <thead>
            <tr>
              <th>{t('col.line')}</th>
              <th>{t('col.station')}</th>
              <th className="num">{t('col.skew')}</th>
            </tr>
          </thead>
          <tbody>
            {d.clockSkew.map((s) => (
              <tr key={`${s.line}/${s.station}`} className={Math.abs(s.skewMs) > SKEW_WARN_MS ? 'warn' : undefined}>
                <td>{s.line}</td>
                <td>{s.station}</td>
                <td className="num">{s.skewMs > 0 ? `+${formatCount(s.skewMs)}` : formatCount(s.skewMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
