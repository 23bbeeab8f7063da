// Shifts (start, end, breaks, weekdays) and the working calendar (holidays, make-up working days), with a
// year view of what runs on each date (CONTRACT §2.2).
import { useState } from 'react';
import { WEEKDAYS } from '../../../../shared/dates.ts';
import { useI18n } from '../../i18nContext.tsx';
import { toggleDay, weekdayOfDate, yearCounts, yearView, type YearDay } from './calendarYear.ts';
import { Field, FieldErrors, GroupHead, RowTools, SelectField, useForm } from './fields.tsx';
import { moveItem, newShift, removeAt, replaceAt, type ShiftForm } from './formModel.ts';

export function ShiftsSection() {
  const { form, update } = useForm();
  const { t } = useI18n();
  return (
    <div className="st-section" data-testid="section-shifts">
      <GroupHead fieldKeyName="shifts" level={2} />
      <FieldErrors path="shifts" />
      {form.shifts.map((s, i) => (
        <ShiftPanel key={i} shift={s} i={i} />
      ))}
      <button type="button" data-testid="add-shift" onClick={() => update((f) => ({ ...f, shifts: [...f.shifts, newShift(f)] }))}>
        + {t('st.addShift')}
      </button>
    </div>
  );
}

function ShiftPanel({ shift, i }: { shift: ShiftForm; i: number }) {
  const { form, update } = useForm();
  const { t } = useI18n();
  const at = ['shifts', i];
  const set = (next: ShiftForm) => update((f) => ({ ...f, shifts: replaceAt(f.shifts, i, next) }));
  const toggleWeekday = (d: string, on: boolean) => {
    // Written in weekday order; a list as loaded stays untouched until a box is clicked.
    const days = WEEKDAYS.filter((w) => (w === d ? on : shift.days.includes(w)));
    set({ ...shift, days });
  };
  return (
    <section className="panel st-item" data-testid="shift-panel" data-shift={shift.name}>
      <header className="st-item-head">
        <h3>{t('st.shiftTitle', { name: shift.name || '—' })}</h3>
        <RowTools index={i} count={form.shifts.length} name={shift.name} onMove={(to) => update((f) => ({ ...f, shifts: moveItem(f.shifts, i, to) }))} onRemove={() => update((f) => ({ ...f, shifts: removeAt(f.shifts, i) }))} />
      </header>
      <FieldErrors path={`shifts[${i}]`} />
      <div className="st-grid">
        <Field at={[...at, 'name']} />
        <Field at={[...at, 'start']} kind="time" />
        <Field at={[...at, 'end']} kind="time" />
      </div>
      <fieldset className="st-days" data-path={`shifts[${i}].days`}>
        <legend>{t('f.shifts.days')}</legend>
        {WEEKDAYS.map((d) => (
          <label key={d} className="st-check">
            <input type="checkbox" checked={shift.days.includes(d)} data-testid={`day-${d}`} onChange={(e) => toggleWeekday(d, e.target.checked)} />
            {t(`st.weekday.${d}`)}
          </label>
        ))}
        <p className="st-help">{t('h.shifts.days')}</p>
        <FieldErrors path={`shifts[${i}].days`} />
      </fieldset>
      <GroupHead fieldKeyName="shifts.breaks" />
      <FieldErrors path={`shifts[${i}].breaks`} />
      <ul className="st-list">
        {shift.breaks.map((b, j) => (
          <li key={j} className="st-list-row" data-testid="break-row">
            <Field at={[...at, 'breaks', j, 'start']} kind="time" noHelp />
            <span aria-hidden="true">–</span>
            <Field at={[...at, 'breaks', j, 'end']} kind="time" noHelp />
            <RowTools index={j} count={shift.breaks.length} name={`${b.start}–${b.end}`} onRemove={() => set({ ...shift, breaks: removeAt(shift.breaks, j) })} />
            <FieldErrors path={`shifts[${i}].breaks[${j}]`} />
          </li>
        ))}
      </ul>
      <button type="button" data-testid="add-break" onClick={() => set({ ...shift, breaks: [...shift.breaks, { start: '', end: '' }] })}>
        + {t('st.addBreak')}
      </button>
    </section>
  );
}

export function CalendarSection({ today }: { today: string | null }) {
  const { form, update } = useForm();
  const { t } = useI18n();
  const cal = form.calendar;
  return (
    <div className="st-section" data-testid="section-calendar">
      <GroupHead fieldKeyName="calendar" level={2} />
      <YearView today={today} />
      <div className="st-columns">
        <div>
          <GroupHead fieldKeyName="calendar.holidays" />
          <FieldErrors path="calendar.holidays" />
          <ul className="st-list">
            {cal.holidays.map((d, i) => (
              <li key={i} className="st-list-row" data-testid="holiday-row">
                <Field at={['calendar', 'holidays', i]} labelKey="calendar.holidays" kind="date" bare noHelp />
                <span className="note">{weekdayName(t, d)}</span>
                <RowTools index={i} count={cal.holidays.length} name={d} onRemove={() => update((f) => ({ ...f, calendar: { ...f.calendar, holidays: removeAt(f.calendar.holidays, i) } }))} />
              </li>
            ))}
          </ul>
          <button type="button" data-testid="add-holiday" onClick={() => update((f) => ({ ...f, calendar: { ...f.calendar, holidays: [...f.calendar.holidays, today ?? ''] } }))}>
            + {t('st.addHoliday')}
          </button>
        </div>
        <div>
          <GroupHead fieldKeyName="calendar.workdays" />
          <FieldErrors path="calendar.workdays" />
          <ul className="st-list">
            {cal.workdays.map((w, i) => (
              <li key={i} className="st-list-row" data-testid="workday-row">
                <Field at={['calendar', 'workdays', i, 'date']} kind="date" bare noHelp />
                <span className="note">{weekdayName(t, w.date)}</span>
                <SelectField at={['calendar', 'workdays', i, 'as']} bare noHelp options={WEEKDAYS.map((d) => ({ value: d, label: t('st.worksAs', { day: t(`st.weekday.${d}`) }) }))} />
                <RowTools index={i} count={cal.workdays.length} name={w.date} onRemove={() => update((f) => ({ ...f, calendar: { ...f.calendar, workdays: removeAt(f.calendar.workdays, i) } }))} />
              </li>
            ))}
          </ul>
          <button
            type="button"
            data-testid="add-workday"
            onClick={() => update((f) => ({ ...f, calendar: { ...f.calendar, workdays: [...f.calendar.workdays, { date: today ?? '', as: 'mon' }] } }))}
          >
            + {t('st.addWorkday')}
          </button>
        </div>
      </div>
    </div>
  );
}

function weekdayName(t: ReturnType<typeof useI18n>['t'], date: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) ? t(`st.weekday.${weekdayOfDate(date)}`) : '';
}

function YearView({ today }: { today: string | null }) {
  const { form, update, readOnly } = useForm();
  const { t } = useI18n();
  const thisYear = today ? Number(today.slice(0, 4)) : new Date().getFullYear();
  const [year, setYear] = useState(thisYear);
  const months = yearView(form, year);
  const counts = yearCounts(months);
  const title = (d: YearDay) => {
    const kind = t(`st.day.${d.kind}`);
    const shifts = d.shifts.length ? ` · ${t('st.dayShifts', { shifts: d.shifts.join(', ') })}` : '';
    const as = d.as ? ` · ${t('st.worksAs', { day: t(`st.weekday.${d.as}`) })}` : '';
    return `${d.date} ${t(`st.weekday.${d.weekday}`)}: ${kind}${as}${shifts}`;
  };
  return (
    <section className="panel st-year" data-testid="year-view" data-year={year} aria-label={t('st.yearTitle', { year })}>
      <header className="st-item-head">
        <h3>{t('st.yearTitle', { year })}</h3>
        <span className="st-row-tools">
          <button type="button" onClick={() => setYear(year - 1)} aria-label={t('st.yearPrev')} title={t('st.yearPrev')}>
            ‹
          </button>
          <button type="button" onClick={() => setYear(thisYear)} disabled={year === thisYear}>
            {t('st.yearThis')}
          </button>
          <button type="button" onClick={() => setYear(year + 1)} aria-label={t('st.yearNext')} title={t('st.yearNext')}>
            ›
          </button>
        </span>
      </header>
      <ul className="legend st-year-legend">
        {(['work', 'holiday', 'makeup', 'noshift'] as const).map((k) => (
          <li key={k}>
            <span className={`st-day-swatch day-${k}`} aria-hidden="true" /> {t(`st.day.${k}`)} ({counts[k]})
          </li>
        ))}
      </ul>
      <p className="st-help">{readOnly ? t('st.yearHelpReadOnly') : t('st.yearHelp')}</p>
      <div className="st-months">
        {months.map((m) => (
          <div key={m.month} className="st-month">
            <div className="st-month-name" id={`st-month-${year}-${m.month}`}>
              {t(`st.month.${m.month}` as 'st.month.1')}
            </div>
            <div className="st-month-grid" role="group" aria-labelledby={`st-month-${year}-${m.month}`}>
              {WEEKDAYS.map((d) => (
                <span key={d} className="st-wd" aria-hidden="true">
                  {t(`st.weekdayShort.${d}`)}
                </span>
              ))}
              {Array.from({ length: m.lead }, (_, k) => (
                <span key={`lead-${k}`} />
              ))}
              {m.days.map((d) => (
                <button
                  key={d.date}
                  type="button"
                  className={`st-day day-${d.kind}${d.date === today ? ' today' : ''}`}
                  title={title(d)}
                  aria-label={title(d)}
                  data-date={d.date}
                  data-kind={d.kind}
                  onClick={() => update((f) => toggleDay(f, d.date))}
                >
                  {Number(d.date.slice(8))}
                </button>
              ))}
            </div>
          </div>
        ))}
      </div>
    </section>
  );
}
