// The stop going on now (LiveLine.openStop): what it is, since when, its reason, and "code this stop" —
// the operator's word while the line still stands, the same picker as History's stops table.
import { useState } from 'react';
import type { LiveLine, OpenStop } from '../../../../shared/api.ts';
import { SessionStatus } from '../../components/LoginBox.tsx';
import { formatClockSeconds } from '../../display.ts';
import { useI18n } from '../../i18nContext.tsx';
import { CodeStopPicker, ReasonText, SourceBadge, useReasonCatalogue } from '../history/CodeStop.tsx';
import { formatDuration, reasonLabel } from '../history/losses.ts';

/** Keyed by the stop (station and start) where it is used, so a new stop starts without the last one's code. */
export function OpenStopPanel({ line, stop, now, timezone }: { line: LiveLine; stop: OpenStop; now: number; timezone: string }) {
  const { t, lang } = useI18n();
  const catalogue = useReasonCatalogue();
  const [picking, setPicking] = useState(false);
  // The live snapshot names the station's own reason only: what was coded here is shown until the stop ends.
  const [coded, setCoded] = useState<{ reason: string; comment: string | null } | null>(null);
  const what = stop.kind === 'down' ? t('openStop.down', { station: stop.station ?? '' }) : t('openStop.unreported');
  const since = t('openStop.since', { time: formatClockSeconds(stop.since, timezone), duration: formatDuration(Math.max(0, (now - stop.since) / 1000)) });
  const machineReason = stop.reason && stop.reason !== 'unspecified' ? stop.reason : null;
  return (
    <div className="panel open-stop" data-testid="open-stop" data-kind={stop.kind} data-station={stop.station ?? ''} data-since={stop.since}>
      <div className="panel-head">
        <h2>
          <span aria-hidden="true">■ </span>
          {t('openStop.title')}
        </h2>
        <span className={`stop-kind stop-kind-${stop.kind}`}>{stop.kind === 'down' ? t('stops.kind.down') : t('stops.kind.unreported_stop')}</span>
        <span className="toggle">
          <SessionStatus />
        </span>
      </div>
      <dl className="kv open-stop-facts">
        <div className="kv-row">
          <dt>{t('openStop.what')}</dt>
          <dd data-testid="open-stop-what">{what}</dd>
        </div>
        <div className="kv-row">
          <dt>{t('openStop.sinceLabel')}</dt>
          <dd data-testid="open-stop-since">{since}</dd>
        </div>
        <div className="kv-row">
          <dt>{t('stops.reason')}</dt>
          <dd data-testid="open-stop-reason">
            {coded ? (
              <>
                <ReasonText reason={coded.reason} catalogue={catalogue} /> <SourceBadge source="operator" />
                {coded.comment ? <span className="note untrusted"> — {coded.comment}</span> : null}
              </>
            ) : machineReason ? (
              <>
                <ReasonText reason={machineReason} catalogue={catalogue} /> <SourceBadge source="machine" />
              </>
            ) : (
              <SourceBadge source="none" />
            )}
          </dd>
        </div>
      </dl>
      {picking ? (
        <CodeStopPicker
          target={{ line: line.id, station: stop.station, start: stop.since }}
          catalogue={catalogue}
          title={`${what} · ${formatClockSeconds(stop.since, timezone)}`}
          onCancel={() => setPicking(false)}
          onCoded={(reason, comment) => {
            setPicking(false);
            setCoded({ reason, comment });
          }}
        />
      ) : (
        <button type="button" className="primary" data-testid="open-stop-code" onClick={() => setPicking(true)}>
          {coded ? t('stops.recode') : t('stops.code')}
        </button>
      )}
      {coded ? (
        <p className="ok" data-testid="open-stop-coded">
          ✓ {t('stops.coded', { what, reason: reasonLabel(coded.reason, catalogue, lang) })}
        </p>
      ) : null}
    </div>
  );
}
