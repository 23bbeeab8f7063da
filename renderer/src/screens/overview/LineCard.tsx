import type { LiveLine } from '../../../../shared/api.ts';
import { classifyTakt, formatClock, formatCount, formatPct, formatRate, formatTaktS } from '../../display.ts';
import { useI18n } from '../../i18nContext.tsx';
import { TAKT_COLOUR } from '../../palette.ts';
import { routeHref } from '../../routes.ts';
import { Icon, stateIcon } from '../../components/Icon.tsx';
import { ForecastView } from './ForecastView.tsx';
import { Sparkline } from './Sparkline.tsx';
import { TaktText } from './TaktText.tsx';

export function LineCard({ line, timezone }: { line: LiveLine; timezone: string }) {
  const { t } = useI18n();
  const status = classifyTakt(line.actualTaktS, line.targetTaktS);
  const href = routeHref({ screen: 'line', lineId: line.id });
  // A stopped line has no current speed; showing the last rate would suggest it still runs.
  const speed = line.state === 'stopped' ? 0 : line.unitsPerMin;
  // A configured line with no shift now (a holiday, a weekend, between shifts): nothing is planned, so the
  // card says so instead of a plan or an attainment.
  const noShift = line.configured && line.shift === null;
  return (
    <article
      className={`line-card takt-${status} state-${line.state}${line.configured ? '' : ' unconfigured'}${noShift ? ' no-shift' : ''}`}
      data-testid="line-card"
      data-line-id={line.id}
      onClick={() => {
        window.location.hash = href;
      }}
    >
      <header className="card-head">
        <h2 className="card-title">
          <a href={href} aria-label={t('card.open', { name: line.name })} onClick={(e) => e.stopPropagation()}>
            {line.name}
          </a>
          {line.name !== line.id ? <span className="card-id">{line.id}</span> : null}
        </h2>
        <span className={`line-state line-state-${line.state}`} data-testid="line-state" data-state={line.state}>
          <Icon name={stateIcon(line.state)} /> {t(`lineState.${line.state}`)}
        </span>
      </header>

      <div className="card-takt">
        <div className="takt-caption">{t('card.actualTakt')}</div>
        <div className="takt-value" data-testid="actual-takt" data-value={line.actualTaktS ?? ''}>
          <TaktText seconds={line.actualTaktS} />
        </div>
        <div className="takt-status" data-status={status}>
          <Icon name={status} /> {t(`takt.${status}`)}
        </div>
        <div className="target-takt" data-testid="target-takt" data-value={line.targetTaktS ?? ''}>
          {noShift ? (
            <span className="no-shift-tag" data-testid="no-shift">
              {t('card.noShift')}
            </span>
          ) : line.targetTaktS === null ? (
            t('card.noTarget')
          ) : (
            t('card.target', { value: formatTaktS(line.targetTaktS) })
          )}
        </div>
      </div>

      <dl className="card-figures">
        <div className="figure">
          <dt>{t('card.units')}</dt>
          <dd>
            <span className="figure-big" data-testid="shift-units" data-value={line.shiftUnits}>
              {formatCount(line.shiftUnits)}
            </span>
            <span className="figure-sub">
              {noShift ? t('card.noShift') : line.shiftTargetUnits === null ? t('card.noPlan') : t('card.unitsOfPlan', { plan: formatCount(line.shiftTargetUnits) })}
            </span>
          </dd>
        </div>
        <div className="figure">
          <dt>{t('card.attainment')}</dt>
          <dd className="figure-big" data-testid="attainment" data-value={line.attainmentPct ?? ''}>
            {formatPct(line.attainmentPct)}
          </dd>
        </div>
        <div className="figure">
          <dt>{t('card.speed')}</dt>
          <dd data-testid="speed" data-value={speed}>
            {t('card.perMin', { value: formatRate(speed) })}
          </dd>
        </div>
        <div className="figure">
          <dt>{t('card.shift')}</dt>
          <dd data-testid="shift-name">{line.shift ? line.shift.name : t('card.noShift')}</dd>
        </div>
      </dl>

      <ForecastView forecast={line.forecast} className="card-forecast" />

      <Sparkline values={line.sparkline} targetS={line.targetTaktS} colour={TAKT_COLOUR[status]} label={t('card.sparkline')} />

      {line.gaps.missing > 0 ? (
        <p className="card-warning" data-testid="gap-warning" data-value={line.gaps.missing}>
          ⚠ {t('card.gaps', { count: formatCount(line.gaps.missing), time: formatClock(line.gaps.since, timezone) })}
        </p>
      ) : null}
    </article>
  );
}
