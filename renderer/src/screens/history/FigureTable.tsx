import type { Figures } from '../../../../shared/figures.ts';
import { formatFigure } from '../../../../shared/format.ts';
import { FIGURE_COLUMNS, LOSS_COLUMNS } from '../../../../shared/csv.ts';
import { useI18n } from '../../i18nContext.tsx';

/** CSV column order (CONTRACT §4), so a supervisor can hold the screen next to the spreadsheet; the loss columns as appended. */
export const FIGURE_ORDER: readonly (keyof Figures)[] = [...FIGURE_COLUMNS, 'bottleneckStation', ...LOSS_COLUMNS, 'topDownReason', 'topDownReasonS'];

/** The cell text is formatFigure's output itself; only an empty figure becomes a dash. */
export function FigureCell({ figure, text }: { figure: keyof Figures | 'targetTaktS'; text: string }) {
  return (
    <dd className={text === '' ? 'fig-value empty' : 'fig-value'} data-testid={`fig-${figure}`} data-value={text}>
      {text === '' ? '—' : text}
    </dd>
  );
}

export function FigureTable({ figures }: { figures: Figures }) {
  const { t } = useI18n();
  return (
    <dl className="figure-table">
      {FIGURE_ORDER.map((key) => (
        <div key={key} className={`fig fig-${key}`}>
          <dt>{t(`fig.${key}`)}</dt>
          <FigureCell figure={key} text={formatFigure(key, figures[key])} />
        </div>
      ))}
    </dl>
  );
}
