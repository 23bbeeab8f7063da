import type { HistoryLine, HistoryView } from '../../../../shared/api.ts';
import { formatFigure } from '../../../../shared/format.ts';
import { formatClock, formatCount, formatMs } from '../../display.ts';
import { useI18n } from '../../i18nContext.tsx';
import { AlertsTable } from './AlertsTable.tsx';
import { FigureCell, FigureTable } from './FigureTable.tsx';
import { HourlyChart } from './HourlyChart.tsx';
import type { CatalogueReason } from './losses.ts';
import { LossesSection } from './LossesSection.tsx';
import { StateTimeline } from './StateTimeline.tsx';
import { TaktHistogram } from './TaktHistogram.tsx';

interface Props {
  line: HistoryLine;
  view: HistoryView;
  /** The figures are those of a shift or day not over, taken up to then (CONTRACT §2.3). */
  soFarUntil: number | null;
  /** The shifts of the view (their handover notes), the plant's reason catalogue, and what to do after a write. */
  shifts?: string[];
  catalogue?: readonly CatalogueReason[];
  onChanged?(): void;
}

export function HistoryLineSection({ line, view, soFarUntil, shifts = view.shift === 'ALL' ? [] : [view.shift], catalogue = [], onChanged = () => {} }: Props) {
  const { t } = useI18n();
  const soFar = soFarUntil !== null;
  // The timeline covers what has happened: a part of the shift still to come is not an "unknown" state.
  const windows = view.windows.filter((w) => w.soFarEnd > w.start).map((w) => ({ start: w.start, end: w.soFarEnd }));
  return (
    <section className={soFar ? 'panel history-line so-far' : 'panel history-line'} data-testid="history-line" data-line-id={line.id} data-so-far={soFar ? 'true' : undefined}>
      <header className="panel-head">
        <h2>
          {line.name} <span className="card-id">{line.id}</span>
        </h2>
        {line.configured ? null : <span className="tag">{t('card.noTarget')}</span>}
        <dl className="target-figure">
          <dt>{t('fig.targetTaktS')}</dt>
          <FigureCell figure="targetTaktS" text={formatFigure('targetTaktS', line.targetTaktS)} />
        </dl>
      </header>
      <h3>{soFar ? t('history.figuresSoFar', { time: formatClock(soFarUntil, view.timezone) }) : t('history.figures')}</h3>
      <FigureTable figures={line.figures} />
      <div className="history-charts">
        <div>
          <h3>{soFar ? t('history.hourlySoFar') : t('history.hourly')}</h3>
          <HourlyChart hourly={line.hourly} timezone={view.timezone} />
        </div>
        <div>
          <h3>{t('history.histogram')}</h3>
          <TaktHistogram bins={line.taktHistogram} targetS={line.targetTaktS} />
        </div>
      </div>
      <LossesSection line={line} view={view} shifts={shifts} catalogue={catalogue} onChanged={onChanged} />
      <h3>{t('history.timeline')}</h3>
      <StateTimeline timeline={line.timeline} windows={windows} timezone={view.timezone} />
      <div className="history-tables">
        <div>
          <h3>{t('history.stations')}</h3>
          <StationSummary line={line} />
        </div>
        <div>
          <h3>{t('history.gaps')}</h3>
          <GapList gaps={line.gaps} />
        </div>
      </div>
      <AlertsTable alerts={line.alerts ?? []} timezone={view.timezone} />
    </section>
  );
}

function StationSummary({ line }: { line: HistoryLine }) {
  const { t } = useI18n();
  const bottleneck = line.figures.bottleneckStation;
  return (
    <table className="table" data-testid="history-stations">
      <thead>
        <tr>
          <th>{t('col.station')}</th>
          <th className="num">{t('col.meanCycle')}</th>
          <th className="num">{t('col.cycles')}</th>
          <th className="num">{t('col.downtime')}</th>
        </tr>
      </thead>
      <tbody>
        {line.stations.map((s) => (
          <tr key={s.id} className={s.id === bottleneck ? 'bottleneck' : undefined} data-bottleneck={s.id === bottleneck ? 'true' : undefined}>
            <td>
              {s.id}
              {s.id === bottleneck ? <span className="tag tag-bottleneck">{t('line.bottleneck')}</span> : null}
            </td>
            <td className="num">{formatMs(s.meanCycleMs)}</td>
            <td className="num">{formatCount(s.cycles)}</td>
            <td className={s.downtimeS > 0 ? 'num down' : 'num'}>{formatFigure('downtimeS', s.downtimeS) || '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function GapList({ gaps }: { gaps: HistoryLine['gaps'] }) {
  const { t } = useI18n();
  const withGaps = gaps.filter((g) => g.missing > 0);
  if (withGaps.length === 0) return <p className="note">{t('history.noGaps')}</p>;
  return (
    <table className="table" data-testid="history-gaps">
      <thead>
        <tr>
          <th>{t('col.station')}</th>
          <th className="num">{t('col.missing')}</th>
        </tr>
      </thead>
      <tbody>
        {withGaps.map((g) => (
          <tr key={g.station} className="warn">
            <td>{g.station}</td>
            <td className="num">{formatCount(g.missing)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
