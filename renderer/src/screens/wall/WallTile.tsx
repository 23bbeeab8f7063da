import type { AndonAlert, LiveLine } from '../../../../shared/api.ts';
import { formatDuration, kindKey, levelClass } from '../../andon/andonView.ts';
import { Icon, stateIcon } from '../../components/Icon.tsx';
import { classifyTakt, formatClock, formatCount, formatPct, formatTaktS } from '../../display.ts';
import { useI18n } from '../../i18nContext.tsx';
import { ForecastView } from '../overview/ForecastView.tsx';
import { TaktText } from '../overview/TaktText.tsx';

interface Props {
  line: LiveLine;
  /** The line's open alerts, most urgent first: the first takes the tile over. */
  alerts: AndonAlert[];
  timezone: string;
  now: number;
}

/**
 * One line on the wall: its name, its state in words with an icon, takt against target, units against the plan
 * so far, and where the shift lands. An open alert takes the tile over — its level's colour, its kind in words
 * with an icon, the level, the station, since when and who acknowledged — and the figures stay readable below.
 */
export function WallTile({ line, alerts, timezone, now }: Props) {
  const { t, lang } = useI18n();
  const status = classifyTakt(line.actualTaktS, line.targetTaktS);
  const alert = alerts[0] ?? null;
  const level = alert ? levelClass(alert.level) : 0;
  const noShift = line.configured && line.shift === null;
  return (
    <article
      className={`wall-tile state-${line.state} takt-${status}${alert ? ` takeover level-${level}` : ''}`}
      data-testid="wall-tile"
      data-line-id={line.id}
      data-state={line.state}
      data-alert-kind={alert?.kind ?? ''}
      data-alert-level={alert?.level ?? ''}
      aria-labelledby={`wt-name-${line.id}`}
    >
      <header className="wt-head">
        <h2 className="wt-name" id={`wt-name-${line.id}`}>
          {line.name}
        </h2>
        <span className={`wt-state wt-state-${line.state}`} data-testid="wall-state">
          <Icon name={stateIcon(line.state)} /> {t(`lineState.${line.state}`)}
        </span>
      </header>

      {alert ? (
        <div className={`wt-alert level-${level}`} data-testid="wall-alert" data-kind={alert.kind} data-level={alert.level} data-acked={alert.ackBy ? 'true' : 'false'}>
          <p className="wt-alert-head">
            <strong className="wt-alert-kind">
              <Icon name={alert.kind} /> {t(kindKey(alert.kind))}
            </strong>
          </p>
          <div className="wt-alert-where">
            <span className="wt-alert-level">{t('andon.level', { level: alert.level })}</span>
            {alert.station ? <span className="wt-alert-station">{t('wall.station', { station: alert.station })}</span> : null}
            <span>
              {t('andon.since', { time: formatClock(alert.since, timezone) })} · {t('andon.for', { duration: formatDuration(lang, now - alert.since) })}
            </span>
          </div>
          <div className="wt-alert-ack" data-testid="wall-alert-ack">
            {alert.ackBy ? (
              <>
                <Icon name="check" /> {t('andon.ackedBy', { who: alert.ackBy, time: formatClock(alert.ackAt, timezone) })}
              </>
            ) : (
              t('wall.notAcked')
            )}
            {alerts.length > 1 ? <span className="wt-alert-more"> · {t('andon.more', { count: alerts.length - 1 })}</span> : null}
          </div>
        </div>
      ) : null}

      <div className="wt-figures">
        <div className="wt-figure wt-takt">
          <span className="wt-label">{t('wall.takt')}</span>
          <span className="wt-takt-value" data-testid="wall-takt" data-value={line.actualTaktS ?? ''}>
            <TaktText seconds={line.actualTaktS} />
          </span>
          <span className="wt-sub wt-takt-status">
            <Icon name={status} /> {t(`takt.${status}`)}
          </span>
          <span className="wt-sub wt-secondary">{line.targetTaktS === null ? t('card.noTarget') : t('card.target', { value: nb(formatTaktS(line.targetTaktS)) })}</span>
        </div>
        <div className="wt-figure wt-units">
          <span className="wt-label">{t('wall.units')}</span>
          <span className="wt-units-value" data-testid="wall-units" data-value={line.shiftUnits}>
            {formatCount(line.shiftUnits)}
          </span>
          {noShift ? (
            <span className="wt-sub">{t('card.noShift')}</span>
          ) : line.shiftTargetUnits === null ? (
            <span className="wt-sub">{t('card.noPlan')}</span>
          ) : (
            <>
              <span className="wt-sub" data-testid="wall-plan" data-value={line.shiftTargetUnits}>
                {t('wall.planSoFar', { plan: nb(formatCount(line.shiftTargetUnits)) })}
              </span>
              <span className="wt-sub wt-secondary">{t('wall.attainment', { pct: nb(formatPct(line.attainmentPct)) })}</span>
            </>
          )}
        </div>
      </div>
      <ForecastView forecast={line.forecast} className="wt-forecast" />
    </article>
  );
}

/** A value and its unit stay on one line ("7.7 %", "60.0 s"). */
function nb(text: string): string {
  return text.replace(/ /g, '\u00a0');
}
