import { useState } from 'react';
import type { AndonAlert, LiveLine } from '../../../shared/api.ts';
import { alertDetail, byUrgency, formatDuration, kindKey, levelClass, placeOf } from '../andon/andonView.ts';
import type { AndonSignals } from '../andon/useAndonSignals.ts';
import { useClient } from '../clientContext.tsx';
import { formatClock } from '../display.ts';
import { useI18n } from '../i18nContext.tsx';
import { Icon } from './Icon.tsx';
import { useWriteAccess, useWriteErrorText } from './LoginBox.tsx';

/** Rows shown before "show all": the banner must not push the screen below it off a laptop display. */
const ROWS_SHOWN = 3;

interface Props {
  alerts: AndonAlert[];
  lines: LiveLine[];
  timezone: string;
  /** The snapshot's time: how long an alert has been open is told by the core's clock, not the viewer's. */
  now: number;
  signals: AndonSignals;
}

/**
 * The open andon alerts on every screen (CONTRACT §6.1): what (words and an icon), where, which level, since
 * when and for how long, who acknowledged — or a button to acknowledge. Also the person's own choices: browser
 * notifications (asked for by a button) and the alert sound with its mute toggle.
 */
export function AndonBanner({ alerts, lines, timezone, now, signals }: Props) {
  const { t } = useI18n();
  const [all, setAll] = useState(false);
  const sorted = [...alerts].sort(byUrgency);
  const shown = all ? sorted : sorted.slice(0, ROWS_SHOWN);
  const lineName = (id: string) => lines.find((l) => l.id === id)?.name ?? id;
  const controls = hasControls(signals);
  if (sorted.length === 0 && !controls) return <LiveRegion text={signals.announcement} />;
  const top = sorted[0] ? levelClass(sorted[0].level) : 0;
  return (
    <section className={`andon andon-top-${top}`} aria-label={t('andon.title')} data-testid="andon-banner" data-count={sorted.length}>
      <LiveRegion text={signals.announcement} />
      {sorted.length === 0 ? (
        <p className="andon-clear" data-testid="andon-clear">
          <Icon name="check" /> {t('andon.none')}
        </p>
      ) : (
        <ul className="andon-list">
          {shown.map((a) => (
            <AndonRow key={a.id} alert={a} place={placeOf(a, lineName)} timezone={timezone} now={now} />
          ))}
        </ul>
      )}
      <div className="andon-foot">
        {sorted.length > ROWS_SHOWN ? (
          <button type="button" className="andon-more" aria-expanded={all} onClick={() => setAll((v) => !v)}>
            {all ? t('andon.showFewer') : t('andon.showAll', { count: sorted.length })}
          </button>
        ) : null}
        <AndonControls signals={signals} />
      </div>
    </section>
  );
}

function LiveRegion({ text }: { text: string }) {
  return (
    <div className="sr-only" aria-live="polite" data-testid="andon-announcement">
      {text}
    </div>
  );
}

function hasControls(s: AndonSignals): boolean {
  return s.sound.levels.length > 0 || (s.notify !== null && ['ask', 'on', 'off', 'denied'].includes(s.notify.state));
}

type AckState = { kind: 'idle' } | { kind: 'pending' } | { kind: 'failed'; text: string };

function AndonRow({ alert, place, timezone, now }: { alert: AndonAlert; place: string; timezone: string; now: number }) {
  const { t, lang } = useI18n();
  const client = useClient();
  // In the browser a refusal for want of a token opens the sign-in box and the acknowledgement is tried again
  // with the token given; the desktop window acts as supervisor and never sees the box.
  const access = useWriteAccess();
  const errorText = useWriteErrorText();
  const [ack, setAck] = useState<AckState>({ kind: 'idle' });
  const level = levelClass(alert.level);
  const kind = t(kindKey(alert.kind));
  const onAck = () => {
    setAck({ kind: 'pending' });
    access.run('ackAlert', () => client.ackAlert({ id: alert.id })).then(
      () => setAck({ kind: 'idle' }),
      (err: unknown) => setAck({ kind: 'failed', text: t('andon.ackFailed', { message: errorText(err, 'ackAlert') }) }),
    );
  };
  return (
    <li
      className={`andon-alert andon-level-${level} andon-kind-${alert.kind}${alert.ackBy ? ' acked' : ''}`}
      data-testid="andon-alert"
      data-alert-id={alert.id}
      data-kind={alert.kind}
      data-level={alert.level}
      data-line-id={alert.line}
      data-acked={alert.ackBy ? 'true' : 'false'}
    >
      <span className="andon-level" data-testid="andon-level">
        <Icon name={alert.kind} />
        {t('andon.level', { level: alert.level })}
      </span>
      <strong className="andon-kind">{kind}</strong>
      <span className="andon-place">{place}</span>
      <span className="andon-detail">{alertDetail(lang, alert, timezone)}</span>
      <span className="andon-since">
        {t('andon.since', { time: formatClock(alert.since, timezone) })} · {t('andon.for', { duration: formatDuration(lang, now - alert.since) })}
      </span>
      {alert.ackBy ? (
        <span className="andon-acked" data-testid="andon-acked">
          <Icon name="check" /> {t('andon.ackedBy', { who: alert.ackBy, time: formatClock(alert.ackAt, timezone) })}
        </span>
      ) : (
        <button
          type="button"
          className="andon-ack"
          data-testid="andon-ack"
          disabled={ack.kind === 'pending'}
          aria-label={t('andon.ackLabel', { kind, place })}
          onClick={onAck}
        >
          {ack.kind === 'pending' ? t('andon.acking') : t('andon.ack')}
        </button>
      )}
      {access.dialog}
      {ack.kind === 'failed' && !alert.ackBy ? (
        <span className="andon-error" role="alert" data-testid="andon-ack-error">
          {ack.text}
        </span>
      ) : null}
    </li>
  );
}

/** The person's own choices: sound (when the configuration makes any level sound) and browser notifications. */
/** `wall`: the wall display's footer — short words, and no browser notifications (nobody sits at a wall). */
export function AndonControls({ signals, wall = false }: { signals: AndonSignals; wall?: boolean }) {
  const { t } = useI18n();
  const { sound, notify } = signals;
  return (
    <div className={wall ? 'andon-controls wall-andon' : 'andon-controls'}>
      {sound.levels.length > 0 ? (
        <>
          <button
            type="button"
            role="switch"
            className="andon-switch andon-sound"
            data-testid="andon-sound"
            aria-checked={!sound.muted}
            title={t('andon.sound.label', { levels: sound.levels.join(', ') })}
            onClick={() => sound.setMuted(!sound.muted)}
          >
            <Icon name={sound.muted ? 'mute' : 'sound'} /> {t('andon.sound.name')}{' '}
            <span className="switch-state" aria-hidden="true">
              {sound.muted ? t('andon.switch.off') : t('andon.switch.on')}
            </span>
          </button>
          {!sound.muted && sound.state === 'locked' ? (
            <button type="button" className={sound.missed ? 'andon-unlock missed' : 'andon-unlock'} data-testid="andon-sound-unlock" onClick={sound.unlock}>
              {sound.missed ? <Icon name="warning" /> : null} {wall ? t('andon.sound.lockedShort') : t('andon.sound.locked')}
            </button>
          ) : null}
        </>
      ) : null}
      {notify && !wall ? <NotifyControl notify={notify} /> : null}
    </div>
  );
}

function NotifyControl({ notify }: { notify: NonNullable<AndonSignals['notify']> }) {
  const { t } = useI18n();
  switch (notify.state) {
    case 'ask':
      return (
        <button type="button" className="andon-notify" data-testid="andon-notify" onClick={notify.request}>
          <Icon name="bell" /> {t('andon.notify.enable')}
        </button>
      );
    case 'on':
    case 'off':
      return (
        <button type="button" role="switch" className="andon-switch andon-notify" data-testid="andon-notify" aria-checked={notify.state === 'on'} onClick={() => notify.setOn(notify.state !== 'on')}>
          <Icon name={notify.state === 'on' ? 'bell' : 'bellOff'} /> {t('andon.notify.name')}{' '}
          <span className="switch-state" aria-hidden="true">
            {notify.state === 'on' ? t('andon.switch.on') : t('andon.switch.off')}
          </span>
        </button>
      );
    case 'denied':
      return (
        <span className="andon-note" data-testid="andon-notify-denied">
          <Icon name="bellOff" /> {t('andon.notify.denied')}
        </span>
      );
    default:
      return null;
  }
}
