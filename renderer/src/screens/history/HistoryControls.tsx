import type { ShiftCalendar, ShiftRef } from '../../../../shared/api.ts';
import { addDays } from '../../display.ts';
import { useI18n } from '../../i18nContext.tsx';

export const ALL_SHIFTS = 'ALL';

export interface Selection {
  date: string;
  shift: string;
}

/** "This shift" and "last shift" come from the server's calendar, which knows the plant's timezone. */
export function shortcutSelection(kind: 'this' | 'last' | 'yesterday', calendar: ShiftCalendar): Selection | null {
  if (kind === 'yesterday') return { date: addDays(calendar.today, -1), shift: ALL_SHIFTS };
  const ref: ShiftRef | null = kind === 'this' ? calendar.current : calendar.last;
  return ref ? { date: ref.productionDate, shift: ref.name } : null;
}

interface Props {
  selection: Selection;
  shifts: ShiftRef[];
  calendar: ShiftCalendar | null;
  onChange(selection: Selection): void;
  exporting: boolean;
  onExport(): void;
}

export function HistoryControls({ selection, shifts, calendar, onChange, exporting, onExport }: Props) {
  const { t } = useI18n();
  const shortcut = (kind: 'this' | 'last' | 'yesterday') => {
    const next = calendar ? shortcutSelection(kind, calendar) : null;
    if (next) onChange(next);
  };
  // The selected shift stays listed even when the picked date's calendar has not loaded yet.
  const names = shifts.map((s) => s.name);
  if (selection.shift !== ALL_SHIFTS && !names.includes(selection.shift)) names.push(selection.shift);
  return (
    <div className="history-controls">
      <label>
        <span>{t('history.date')}</span>
        <input
          type="date"
          data-testid="history-date"
          value={selection.date}
          max={calendar?.today}
          required
          onChange={(e) => {
            if (e.target.value) onChange({ ...selection, date: e.target.value });
          }}
        />
      </label>
      <label>
        <span>{t('history.shift')}</span>
        <select data-testid="history-shift" value={selection.shift} onChange={(e) => onChange({ ...selection, shift: e.target.value })}>
          {names.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
          <option value={ALL_SHIFTS}>{t('history.all')}</option>
        </select>
      </label>
      <div className="shortcuts" role="group">
        <button type="button" data-testid="history-this-shift" disabled={!calendar?.current} onClick={() => shortcut('this')}>
          {t('history.thisShift')}
        </button>
        <button type="button" data-testid="history-last-shift" disabled={!calendar?.last} onClick={() => shortcut('last')}>
          {t('history.lastShift')}
        </button>
        <button type="button" data-testid="history-yesterday" disabled={!calendar} onClick={() => shortcut('yesterday')}>
          {t('history.yesterday')}
        </button>
      </div>
      <button type="button" className="primary" data-testid="history-export" disabled={exporting} onClick={onExport}>
        {exporting ? t('history.exporting') : t('history.export')}
      </button>
    </div>
  );
}
