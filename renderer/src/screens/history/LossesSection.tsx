// Why a line lost time in the shift or day (CONTRACT §2.4; issue 10): the loss waterfall, the Paretos of
// down and reject reasons, every stop with the operator's word on it, and the shift's handover note.
import type { HistoryLine, HistoryView } from '../../../../shared/api.ts';
import { useI18n } from '../../i18nContext.tsx';
import type { CatalogueReason } from './losses.ts';
import { LossWaterfall } from './LossWaterfall.tsx';
import { DownReasonPareto, RejectPareto } from './ReasonPareto.tsx';
import { ShiftNotes } from './ShiftNotes.tsx';
import { StopsTable } from './StopsTable.tsx';

interface Props {
  line: HistoryLine;
  view: HistoryView;
  /** The shifts of the view (the one picked, or the date's shifts for ALL): whose notes are shown. */
  shifts: string[];
  catalogue: readonly CatalogueReason[];
  /** Something was written (a stop code, a note): the view is asked again. */
  onChanged(): void;
}

export function LossesSection({ line, view, shifts, catalogue, onChanged }: Props) {
  const { t } = useI18n();
  const { losses } = line;
  return (
    <div className="losses" data-testid="losses">
      <div className="loss-charts">
        <div className="loss-chart-waterfall">
          <h3>{t('loss.waterfall')}</h3>
          <LossWaterfall steps={losses.waterfall} targetTaktS={line.targetTaktS} />
        </div>
        <div>
          <h3>{t('loss.downReasons')}</h3>
          <DownReasonPareto reasons={losses.downReasons} catalogue={catalogue} />
        </div>
        <div>
          <h3>{t('loss.rejectReasons')}</h3>
          <RejectPareto reasons={losses.rejectReasons} catalogue={catalogue} />
        </div>
      </div>
      <h3>{t('stops.title')}</h3>
      <StopsTable line={line.id} stops={losses.stops} catalogue={catalogue} timezone={view.timezone} showShift={view.shift === 'ALL'} onCoded={onChanged} />
      {line.configured ? (
        <>
          <h3>{t('note.title')}</h3>
          <ShiftNotes date={view.date} line={line.id} shifts={shifts} notes={line.notes} timezone={view.timezone} onSaved={onChanged} />
        </>
      ) : null}
    </div>
  );
}
