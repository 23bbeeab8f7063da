// Andon thresholds (CONTRACT §6.1): the plant's, per-line overrides, escalation and the levels that sound.
import { useI18n } from '../../i18nContext.tsx';
import { Field, FieldErrors, GroupHead, RowTools, SelectField, secondsHint, useForm } from './fields.tsx';
import { removeAt, replaceAt, type AlertOverrideForm } from './formModel.ts';

const THRESHOLDS = ['downAfterS', 'behindPlanMin', 'slowPct', 'slowForS'] as const;

export function AlertsSection() {
  const { form, update } = useForm();
  const { t } = useI18n();
  const a = form.alerts;
  const setLevels = (level: number, on: boolean) =>
    update((f) => ({ ...f, alerts: { ...f.alerts, soundLevels: [1, 2, 3].filter((l) => (l === level ? on : f.alerts.soundLevels.includes(l))) } }));
  const free = form.lines.map((l) => l.id).filter((id) => !a.lines.some((o) => o.line === id));
  return (
    <div className="st-section" data-testid="section-alerts">
      <GroupHead fieldKeyName="alerts" level={2} />
      <p className="note st-callout" data-testid="quiet-hours">
        {t('st.quietHours')}
      </p>
      <FieldErrors path="alerts" />
      <div className="st-grid">
        {THRESHOLDS.map((k) => (
          <Field key={k} at={['alerts', k]} kind="number" />
        ))}
        <Field at={['alerts', 'gapQuietS']} kind="number" />
      </div>
      <GroupHead fieldKeyName="alerts.escalateAfterS" />
      <div className="st-grid" data-path="alerts.escalateAfterS">
        {a.escalateAfterS.map((s, i) => (
          <Field
            key={i}
            at={['alerts', 'escalateAfterS', i]}
            labelKey={`alerts.escalateAfterS.${i + 1}`}
            kind="number"
            noHelp
            placeholder={secondsHint(s) ?? undefined}
          />
        ))}
      </div>
      <FieldErrors path="alerts.escalateAfterS" />
      <fieldset className="st-days" data-path="alerts.soundLevels">
        <legend>{t('f.alerts.soundLevels')}</legend>
        {[1, 2, 3].map((l) => (
          <label key={l} className="st-check">
            <input type="checkbox" checked={a.soundLevels.includes(l)} data-testid={`sound-${l}`} onChange={(e) => setLevels(l, e.target.checked)} />
            {t('st.level', { level: l })}
          </label>
        ))}
        <p className="st-help">{t('h.alerts.soundLevels')}</p>
        <FieldErrors path="alerts.soundLevels" />
      </fieldset>
      <GroupHead fieldKeyName="alerts.lines" />
      <FieldErrors path="alerts.lines" />
      {a.lines.length ? (
        <table className="table compact st-table">
          <thead>
            <tr>
              <th>{t('f.alerts.lines.line')}</th>
              {THRESHOLDS.map((k) => (
                <th key={k}>{t(`f.alerts.${k}`)}</th>
              ))}
              <th />
            </tr>
          </thead>
          <tbody>
            {a.lines.map((o, i) => (
              <OverrideRow key={i} o={o} i={i} free={free} />
            ))}
          </tbody>
        </table>
      ) : null}
      <button
        type="button"
        data-testid="add-override"
        disabled={free.length === 0}
        onClick={() => update((f) => ({ ...f, alerts: { ...f.alerts, lines: [...f.alerts.lines, { line: free[0], downAfterS: '', behindPlanMin: '', slowPct: '', slowForS: '' }] } }))}
      >
        + {t('st.addOverride')}
      </button>
    </div>
  );
}

function OverrideRow({ o, i, free }: { o: AlertOverrideForm; i: number; free: string[] }) {
  const { form, update } = useForm();
  const set = (next: AlertOverrideForm) => update((f) => ({ ...f, alerts: { ...f.alerts, lines: replaceAt(f.alerts.lines, i, next) } }));
  const base = `alerts.lines.${o.line}`;
  return (
    <tr data-testid="override-row">
      <td>
        <SelectField
          at={['alerts', 'lines', i, 'line']}
          labelKey="alerts.lines.line"
          bare
          noHelp
          errorPath={base}
          options={[o.line, ...free].map((id) => ({ value: id, label: id }))}
          value={o.line}
          onChange={(v) => set({ ...o, line: v })}
        />
      </td>
      {THRESHOLDS.map((k) => (
        <td key={k}>
          <Field at={['alerts', 'lines', i, k]} labelKey={`alerts.${k}`} kind="optionalNumber" bare noHelp errorPath={`${base}.${k}`} placeholder={form.alerts[k]} />
        </td>
      ))}
      <td>
        <RowTools index={i} count={form.alerts.lines.length} name={o.line} onRemove={() => update((f) => ({ ...f, alerts: { ...f.alerts, lines: removeAt(f.alerts.lines, i) } }))} />
      </td>
    </tr>
  );
}
