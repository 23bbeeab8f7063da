import type { ShiftCalendar, ShiftRef } from '../../../../shared/api.ts';
import { formatClock } from '../../display.ts';
import { useI18n } from '../../i18nContext.tsx';
import { ALL_SHIFTS, shortcutSelection, stepDate, yesterdayIsLastWorkday, type Selection, type Shortcut } from './selection.ts';

export { ALL_SHIFTS, shortcutSelection, type Selection } from './selection.ts';

interface Props {
  selection: Selection;
  /** The shifts that run on the selected date (CONTRACT §2.2), or null while its calendar loads. */
  shifts: ShiftRef[] | null;
  /** Today's calendar: the shortcuts. */
  calendar: ShiftCalendar | null;
  /** The selected date's calendar: where the previous/next working day buttons lead. */
  dateCalendar: ShiftCalendar | null;
  timezone: string;
  onChange(selection: Selection): void;
}

export function HistoryControls({ selection, shifts, calendar, dateCalendar, timezone, onChange }: Props) {
  const { t } = useI18n();
  const shortcut = (kind: Shortcut) => {
    const next = calendar ? shortcutSelection(kind, calendar) : null;
    if (next) onChange(next);
  };
  const today = calendar?.today ?? null;
  const previous = dateCalendar ? stepDate('previous', dateCalendar, today) : null;
  const next = dateCalendar ? stepDate('next', dateCalendar, today) : null;
  // The selected shift stays listed while the picked date's calendar loads.
  const options = (shifts ?? []).map((s) => ({ value: s.name, label: t('history.shiftOption', { name: s.name, start: formatClock(s.start, timezone), end: formatClock(s.end, timezone) }) }));
  if (selection.shift !== ALL_SHIFTS && !options.some((o) => o.value === selection.shift)) options.push({ value: selection.shift, label: selection.shift });
  const yesterdayLabel =
    calendar && calendar.previousWorkday && !yesterdayIsLastWorkday(calendar) ? t('history.lastWorkday', { date: calendar.previousWorkday }) : t('history.yesterday');
  return (
    <div className="history-controls">
      <div className="day-nav" role="group" aria-label={t('history.dayNav')}>
        <button
          type="button"
          data-testid="history-previous-day"
          disabled={!previous}
          title={previous ? t('history.goTo', { label: t('history.previousDay'), date: previous }) : undefined}
          aria-label={previous ? t('history.goTo', { label: t('history.previousDay'), date: previous }) : t('history.previousDay')}
          onClick={() => previous && onChange({ ...selection, date: previous })}
        >
          {t('history.previousDay')}
        </button>
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
        <button
          type="button"
          data-testid="history-next-day"
          disabled={!next}
          title={next ? t('history.goTo', { label: t('history.nextDay'), date: next }) : undefined}
          aria-label={next ? t('history.goTo', { label: t('history.nextDay'), date: next }) : t('history.nextDay')}
          onClick={() => next && onChange({ ...selection, date: next })}
        >
          {t('history.nextDay')}
        </button>
      </div>
      <label>
        <span>{t('history.shift')}</span>
        <select data-testid="history-shift" value={selection.shift} onChange={(e) => onChange({ ...selection, shift: e.target.value })}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
          <option value={ALL_SHIFTS}>{t('history.all')}</option>
        </select>
      </label>
      <div className="shortcuts" role="group" aria-label={t('history.shortcuts')}>
        <button type="button" data-testid="history-this-shift" disabled={!calendar?.current} onClick={() => shortcut('this')}>
          {t('history.thisShift')}
        </button>
        <button type="button" data-testid="history-last-shift" disabled={!calendar?.last} onClick={() => shortcut('last')}>
          {t('history.lastShift')}
        </button>
        <button type="button" data-testid="history-yesterday" disabled={!calendar?.previousWorkday} onClick={() => shortcut('yesterday')}>
          {yesterdayLabel}
        </button>
      </div>
    </div>
  );
}
