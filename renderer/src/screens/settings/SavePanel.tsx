// Saving (issue 13 item 3): the engine's problems with the form, what changes against the newest version,
// the production date it takes effect from (a past date changes those days' figures, a future one
// schedules), whether the engine reconnects; and the versions recorded so far, with who saved what.
import type { ApplyConfigResult, ConfigCheck, ConfigHistory, ConfigProblem } from '../../../../shared/api.ts';
import { english, type Words } from '../../../../shared/words.ts';
import { formatDateTime } from '../../display.ts';
import { useI18n } from '../../i18nContext.tsx';
import { addDays } from '../../display.ts';
import { ProblemMessage, useFieldText } from './fields.tsx';
import { fieldKey, itemName, parsePath, type ErrorIndex } from './errors.ts';
import type { FormModel } from './formModel.ts';

export type SaveState =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved'; result: Extract<ApplyConfigResult, { ok: true }> | { ok: true; viaFile: true } }
  /** `problems` when the engine refused (in words); the desktop shell's refusals come as `errors` only. */
  | { kind: 'refused'; errors: string[]; problems?: ConfigProblem[]; words?: Words[] }
  | { kind: 'failed'; message: string };

const RECORD_PARENTS = new Set(['alerts.lines', 'inputs.sources.signals.stateValues', 'inputs.sources.signals.reasonValues']);

/** 'lines[2].targetTaktS' → "Lines › pack-3 › Target takt (s)", in the UI language. */
export function useErrorLabel(form: FormModel): (path: string) => string {
  const text = useFieldText();
  return (path) => {
    const segs = parsePath(path);
    const crumbs: string[] = [];
    const keys: string[] = [];
    segs.forEach((s, i) => {
      if (typeof s === 'number') {
        crumbs.push(itemName(form, segs, i));
        return;
      }
      if (RECORD_PARENTS.has(keys.join('.'))) {
        crumbs.push(s);
        keys.push('*');
        return;
      }
      keys.push(s);
      const key = keys.filter((k) => k !== '*').join('.');
      if (text.has(key)) crumbs.push(text.label(key));
      else if (text.has(`${keys[0]}.${s}`)) crumbs.push(text.label(`${keys[0]}.${s}`));
      else crumbs.push(s);
    });
    return crumbs.join(' › ') || fieldKey(path) || path;
  };
}

export function SavePanel({
  form,
  errors,
  check,
  checking,
  dirty,
  editable,
  canSignIn,
  onSignIn,
  today,
  effectiveFrom,
  setEffectiveFrom,
  fileSave,
  extraChanges,
  state,
  onSave,
  onDiscard,
  onShowError,
  demo,
  persisted,
}: {
  form: FormModel;
  errors: ErrorIndex;
  check: ConfigCheck | null;
  checking: boolean;
  dirty: boolean;
  editable: boolean;
  canSignIn: boolean;
  onSignIn(): void;
  today: string | null;
  effectiveFrom: string;
  setEffectiveFrom(d: string): void;
  /** The desktop without a plant file yet: saving writes the file and starts it (effective today). */
  fileSave: boolean;
  extraChanges: string[];
  state: SaveState;
  onSave(): void;
  onDiscard(): void;
  onShowError(path: string): void;
  demo: boolean;
  persisted: boolean;
}) {
  const { t } = useI18n();
  const label = useErrorLabel(form);
  const past = today !== null && effectiveFrom < today;
  const future = today !== null && effectiveFrom > today;
  const ok = check?.ok === true && errors.all.length === 0;
  const validDate = /^\d{4}-\d{2}-\d{2}$/.test(effectiveFrom);
  const canSave = editable && dirty && ok && !checking && validDate && state.kind !== 'saving';
  return (
    <aside className="panel st-save" data-testid="save-panel" aria-labelledby="st-save-title">
      <h2 id="st-save-title">{t('st.saveTitle')}</h2>
      {editable ? (
        <p className="ok" data-testid="settings-editable">
          {t('st.editable')}
        </p>
      ) : (
        <div className="st-readonly" data-testid="settings-readonly">
          <p className="warning">{t('st.readOnly')}</p>
          {canSignIn ? (
            <button type="button" className="primary" data-testid="settings-sign-in" onClick={onSignIn}>
              {t('st.signIn')}
            </button>
          ) : null}
        </div>
      )}
      {demo ? <p className="note">{t('st.demoNote')}</p> : !persisted ? <p className="note">{t('st.notPersisted')}</p> : null}

      <div className="st-status" data-testid="check-status" data-state={checking ? 'checking' : ok ? 'ok' : 'problems'}>
        {checking ? <p className="note">{t('st.checking')}</p> : null}
        {!checking && errors.all.length === 0 && check?.ok ? <p className="ok">{t('st.checkOk')}</p> : null}
        {errors.all.length ? (
          <div className="error" role="alert" data-testid="settings-errors">
            <p>{t('st.problems', { count: errors.all.length })}</p>
            <ul className="st-problem-list">
              {errors.all.map((e, i) => (
                <li key={i} data-path={e.path}>
                  <button type="button" className="link-button" data-testid="problem-link" onClick={() => onShowError(e.path)}>
                    {label(e.path)}
                  </button>
                  : <ProblemMessage problem={e} />
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>

      <div className="st-diff" data-testid="settings-diff">
        <h3>{t('st.changes')}</h3>
        {!dirty ? (
          <p className="note" data-testid="no-changes">
            {t('st.noChanges')}
          </p>
        ) : (
          <ul>
            {check?.ok && !noChange(check.summaryWords)
              ? check.summaryWords.map((w, i) => (
                  <li key={i} className="untrusted" data-testid="diff-item">
                    <ChangeText words={w} />
                  </li>
                ))
              : null}
            {extraChanges.map((s, i) => (
              <li key={`x${i}`} data-testid="diff-item">
                {s}
              </li>
            ))}
            {check?.ok && noChange(check.summaryWords) && extraChanges.length === 0 ? <li>{t('st.noFigureChange')}</li> : null}
          </ul>
        )}
        {check?.ok && check.reconnects ? (
          <p className="warning" data-testid="reconnects">
            {t('st.reconnects')}
          </p>
        ) : null}
      </div>

      {fileSave ? (
        <p className="note">{t('st.fileSave')}</p>
      ) : (
        <div className="st-effective">
          <label className="st-label" htmlFor="st-effective">
            {t('st.effectiveFrom')}
          </label>
          <div className="button-row">
            <input id="st-effective" type="date" value={effectiveFrom} data-testid="effective-from" disabled={!editable} onChange={(e) => setEffectiveFrom(e.target.value)} />
            {today ? (
              <>
                <button type="button" disabled={!editable || effectiveFrom === today} onClick={() => setEffectiveFrom(today)}>
                  {t('st.today')}
                </button>
                <button type="button" disabled={!editable} onClick={() => setEffectiveFrom(addDays(today, 1))}>
                  {t('st.tomorrow')}
                </button>
              </>
            ) : null}
          </div>
          <p className="st-help">{t('st.effectiveHelp')}</p>
          {past ? (
            <div className="warning" data-testid="effective-past">
              <p>{t('st.pastWarning', { date: effectiveFrom })}</p>
              {check?.ok ? (
                check.changedDates.length ? (
                  <p data-testid="changed-dates">
                    {t('st.changedDates', { count: check.changedDates.length, first: check.changedDates[0], last: check.changedDates[check.changedDates.length - 1] })}
                    {check.changedDates.length <= 14 ? ` (${check.changedDates.join(', ')})` : ''}
                  </p>
                ) : (
                  <p data-testid="changed-dates">{t('st.changedNone')}</p>
                )
              ) : null}
            </div>
          ) : future ? (
            <p className="note" data-testid="effective-future">
              {t('st.futureNote', { date: effectiveFrom })}
            </p>
          ) : (
            <p className="note" data-testid="effective-today">
              {t('st.todayNote')}
            </p>
          )}
        </div>
      )}

      <div className="button-row">
        <button type="button" className="primary" data-testid="settings-save" disabled={!canSave} onClick={onSave}>
          {state.kind === 'saving' ? t('settings.saving') : past ? t('st.saveCorrect') : future ? t('st.saveSchedule') : t('settings.save')}
        </button>
        <button type="button" data-testid="settings-discard" disabled={!dirty || state.kind === 'saving'} onClick={onDiscard}>
          {t('st.discard')}
        </button>
      </div>
      <SaveResult state={state} />
    </aside>
  );
}

function SaveResult({ state }: { state: SaveState }) {
  const { t, tWords } = useI18n();
  if (state.kind === 'saved') {
    const r = state.result;
    if ('viaFile' in r) {
      return (
        <p className="ok" role="status" data-testid="settings-saved">
          {t('settings.saved')}
        </p>
      );
    }
    return (
      <div className="ok" role="status" data-testid="settings-saved">
        <p>{r.versionId === null ? t('st.savedNoVersion') : t('st.savedVersion', { id: r.versionId, date: r.effectiveFrom })}</p>
        <p className="untrusted">
          <ChangeSummary parts={r.summaryWords} />
        </p>
        {r.reconnects ? <p data-testid="saved-reconnects">{t('st.reconnected')}</p> : null}
      </div>
    );
  }
  if (state.kind === 'refused') {
    return (
      <div className="error" role="alert" data-testid="save-refused">
        <p>{t('settings.errors')}</p>
        <ul>
          {state.problems
            ? state.problems.map((p, i) => (
                <li key={i} data-path={p.path}>
                  {p.path}: <ProblemMessage problem={p} />
                </li>
              ))
            : state.words
              ? state.words.map((w, i) => <li key={i}>{tWords(w, state.errors[i])}</li>)
              : state.errors.map((e, i) => <li key={i}>{e}</li>)}
        </ul>
      </div>
    );
  }
  if (state.kind === 'failed') {
    return (
      <p className="error" role="alert" data-testid="save-failed">
        {state.message}
      </p>
    );
  }
  return null;
}

export function VersionHistory({ history, timezone, today }: { history: ConfigHistory | null; timezone: string; today: string | null }) {
  const { t } = useI18n();
  if (!history) return <p className="placeholder">{t('app.loading')}</p>;
  const rows = [...history.versions].sort((a, b) => b.recordedAt - a.recordedAt);
  return (
    <div className="st-section" data-testid="section-history">
      <h2>{t('st.section.history')}</h2>
      <p className="st-help">{t('st.historyHelp')}</p>
      <table className="table compact" data-testid="version-history">
        <thead>
          <tr>
            <th>{t('st.vEffective')}</th>
            <th>{t('st.vRecorded')}</th>
            <th>{t('st.vBy')}</th>
            <th>{t('st.vSummary')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((v) => (
            <tr key={v.id} data-testid="version-row" data-version={v.id} data-by={v.recordedBy}>
              <td className="nowrap">{v.effectiveDate === '0000-01-01' ? t('st.vAlways') : v.effectiveDate}</td>
              <td className="nowrap">{formatDateTime(v.recordedAt, timezone)}</td>
              <td className="nowrap">
                <bdi>{v.recordedBy}</bdi>
              </td>
              <td className="untrusted">
                <ChangeSummary parts={v.summaryWords} />
              </td>
              <td className="nowrap">
                {v.id === history.todayVersionId ? (
                  <span className="tag tag-output">{t('st.vToday')}</span>
                ) : today !== null && v.effectiveDate > today ? (
                  <span className="tag">{t('st.vScheduled')}</span>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const noChange = (parts: readonly Words[]) => parts.length === 1 && parts[0].key === 'change.none';

/**
 * One part of the engine's summary of a change ('change.*') in the UI language, the line field or section
 * it names by its Settings label.
 */
function ChangeText({ words }: { words: Words }) {
  const { tWords } = useI18n();
  const text = useFieldText();
  const params = { ...words.params };
  const field = params.field;
  const section = params.section;
  if (typeof field === 'string' && text.has(`lines.${field}`)) params.field = text.label(`lines.${field}`);
  if (typeof section === 'string' && text.has(section)) params.section = text.label(section);
  return <>{tWords({ key: words.key, params }, english(words))}</>;
}

/** The whole summary, its parts joined as the engine joins them. */
export function ChangeSummary({ parts }: { parts: readonly Words[] }) {
  return (
    <>
      {parts.map((w, i) => (
        <span key={i}>
          {i > 0 ? '; ' : ''}
          <ChangeText words={w} />
        </span>
      ))}
    </>
  );
}
