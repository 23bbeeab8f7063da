// The pieces every Settings section is made of: a field with its label, its help line and the engine's
// problems with it right below; lists with add / remove / reorder. Each field is bound to the form by its
// path, which is also the path the engine names it by, so a refusal lands next to the field it is about.
import { createContext, useContext, useId, type ReactNode } from 'react';
import { useI18n } from '../../i18nContext.tsx';
import { dictionaries } from '../../i18n.ts';
import type { ConfigProblem } from '../../../../shared/api.ts';
import type { FormModel } from './formModel.ts';
import { fieldKey, pathString, type ErrorIndex, type Segment } from './errors.ts';

export interface SettingsCtx {
  form: FormModel;
  update(change: (form: FormModel) => FormModel): void;
  errors: ErrorIndex;
  readOnly: boolean;
}

export const FormContext = createContext<SettingsCtx | null>(null);

export function useForm(): SettingsCtx {
  const ctx = useContext(FormContext);
  if (!ctx) throw new Error('useForm outside FormContext');
  return ctx;
}

/** Labels and help lines are keyed by the field's path without indices ('lines.targetTaktS'). */
export function useFieldText(): { label(key: string): string; help(key: string): string | null; has(key: string): boolean } {
  const { lang } = useI18n();
  const dict = dictionaries[lang] as Readonly<Record<string, string>>;
  const own = (k: string): string | undefined => (Object.prototype.hasOwnProperty.call(dict, k) ? dict[k] : undefined);
  return {
    label: (key) => own(`f.${key}`) ?? key,
    help: (key) => own(`h.${key}`) ?? null,
    has: (key) => own(`f.${key}`) !== undefined,
  };
}

export function getIn(value: unknown, at: readonly Segment[]): unknown {
  let v = value;
  for (const s of at) v = v === null || v === undefined ? undefined : (v as Record<string | number, unknown>)[s];
  return v;
}

export function setIn<T>(value: T, at: readonly Segment[], next: unknown): T {
  if (at.length === 0) return next as T;
  const [head, ...rest] = at;
  if (Array.isArray(value)) return value.map((x, i) => (i === head ? setIn(x, rest, next) : x)) as T;
  const obj = value as Record<string, unknown>;
  return { ...obj, [head]: setIn(obj[head as string], rest, next) } as T;
}

/** The problems the engine has with one path, in the UI language. */
export function FieldErrors({ path }: { path: string }) {
  const { errors } = useForm();
  const problems = errors.at(path);
  if (!problems.length) return null;
  return (
    <ul className="st-errors" data-testid="field-error" data-path={path}>
      {problems.map((p, i) => (
        <li key={i}>
          <ProblemMessage problem={p} />
        </li>
      ))}
    </ul>
  );
}

/** The engine's words for a problem, in the UI language; a message it has only in English is marked as such. */
export function ProblemMessage({ problem }: { problem: Pick<ConfigProblem, 'message' | 'words'> }) {
  const { lang, tWords } = useI18n();
  const text = tWords(problem.words, problem.message);
  return lang === 'en' || problem.words.key !== 'text' ? <>{text}</> : <span lang="en">{text}</span>;
}

type Kind = 'text' | 'optional' | 'number' | 'optionalNumber' | 'date' | 'time';

interface FieldProps {
  at: Segment[];
  kind?: Kind;
  /** The label's key when it is not the path's own ('lines.stations' for one station's row). */
  labelKey?: string;
  /** No label shown (rows of a table whose header names the column); still named for screen readers. */
  bare?: boolean;
  /** No help line under it (tables: the column's help is above). */
  noHelp?: boolean;
  placeholder?: string;
  list?: string;
  mono?: boolean;
  /** The engine's path when it differs from the form's (alert overrides and maps are rows here, keyed there). */
  errorPath?: string;
  value?: string;
  onChange?(value: string): void;
  wide?: boolean;
  testId?: string;
  /** A button beside the input (the desktop's Choose… of a file); the input stays editable. */
  action?: ReactNode;
}

/** One text-like input. Optional fields show '' for "not set"; emptying them unsets them. */
export function Field({ at, kind = 'text', labelKey, bare, noHelp, placeholder, list, mono, errorPath, value, onChange, wide, testId, action }: FieldProps) {
  const { form, update, readOnly } = useForm();
  const text = useFieldText();
  const id = useId();
  const helpId = useId();
  const key = labelKey ?? fieldKey(at);
  const path = errorPath ?? pathString(at);
  const raw = value !== undefined ? value : getIn(form, at);
  const shown = raw === null || raw === undefined ? '' : String(raw);
  const set = (v: string) => {
    if (onChange) return onChange(v);
    const next = (kind === 'optional' && v === '') ? null : v;
    update((f) => setIn(f, at, next));
  };
  const help = noHelp ? null : text.help(key);
  const { errors } = useForm();
  const invalid = errors.at(path).length > 0;
  return (
    <div className={`st-field${wide ? ' wide' : ''}${bare ? ' bare' : ''}${action ? ' with-action' : ''}`}>
      <label htmlFor={id} className={bare ? 'sr-only' : 'st-label'}>
        {text.label(key)}
      </label>
      <input
        id={id}
        type={kind === 'date' ? 'date' : 'text'}
        inputMode={kind === 'number' || kind === 'optionalNumber' ? 'decimal' : undefined}
        className={mono ? 'mono' : undefined}
        value={shown}
        placeholder={placeholder ?? (kind === 'time' ? 'HH:MM' : undefined)}
        maxLength={kind === 'time' ? 5 : undefined}
        list={list}
        spellCheck={false}
        autoComplete="off"
        readOnly={readOnly}
        aria-invalid={invalid || undefined}
        aria-describedby={help ? helpId : undefined}
        data-path={path}
        data-testid={testId ?? `field-${path}`}
        onChange={(e) => set(e.target.value)}
      />
      {action}
      {help ? (
        <p className="st-help" id={helpId}>
          {help}
        </p>
      ) : null}
      <FieldErrors path={path} />
    </div>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function SelectField({ at, options, labelKey, bare, noHelp, errorPath, value, onChange, testId }: Omit<FieldProps, 'kind' | 'placeholder' | 'list' | 'mono' | 'wide'> & { options: Option[] }) {
  const { form, update, errors } = useForm();
  const text = useFieldText();
  const id = useId();
  const key = labelKey ?? fieldKey(at);
  const path = errorPath ?? pathString(at);
  const current = String(value !== undefined ? value : (getIn(form, at) ?? ''));
  // A value the form does not offer (an imported file's) is shown as it is, so nothing changes unseen.
  const all = options.some((o) => o.value === current) ? options : [...options, { value: current, label: current || '—' }];
  const help = noHelp ? null : text.help(key);
  return (
    <div className={`st-field${bare ? ' bare' : ''}`}>
      <label htmlFor={id} className={bare ? 'sr-only' : 'st-label'}>
        {text.label(key)}
      </label>
      <select
        id={id}
        value={current}
        aria-invalid={errors.at(path).length > 0 || undefined}
        data-path={path}
        data-testid={testId ?? `field-${path}`}
        onChange={(e) => (onChange ? onChange(e.target.value) : update((f) => setIn(f, at, e.target.value)))}
      >
        {all.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {help ? <p className="st-help">{help}</p> : null}
      <FieldErrors path={path} />
    </div>
  );
}

export function CheckField({ at, labelKey }: { at: Segment[]; labelKey?: string }) {
  const { form, update } = useForm();
  const text = useFieldText();
  const key = labelKey ?? fieldKey(at);
  const path = pathString(at);
  const help = text.help(key);
  return (
    <div className="st-field">
      <label className="st-check">
        <input type="checkbox" checked={getIn(form, at) === true} data-path={path} data-testid={`field-${path}`} onChange={(e) => update((f) => setIn(f, at, e.target.checked))} />
        {text.label(key)}
      </label>
      {help ? <p className="st-help">{help}</p> : null}
      <FieldErrors path={path} />
    </div>
  );
}

/** A heading with the help line of a list or a group of fields. */
export function GroupHead({ fieldKeyName, children, level = 3 }: { fieldKeyName: string; children?: ReactNode; level?: 2 | 3 }) {
  const text = useFieldText();
  const help = text.help(fieldKeyName);
  const H = level === 2 ? 'h2' : 'h3';
  return (
    <div className="st-group-head">
      <H>{text.label(fieldKeyName)}</H>
      {children}
      {help ? <p className="st-help">{help}</p> : null}
    </div>
  );
}

/** Up, down and remove for one row of a list. */
export function RowTools({ index, count, onMove, onRemove, name }: { index: number; count: number; onMove?(to: number): void; onRemove(): void; name: string }) {
  const { t } = useI18n();
  return (
    <span className="st-row-tools">
      {onMove ? (
        <>
          <button type="button" className="icon-button" aria-label={t('st.moveUp', { name })} title={t('st.moveUp', { name })} disabled={index === 0} onClick={() => onMove(index - 1)}>
            ↑
          </button>
          <button type="button" className="icon-button" aria-label={t('st.moveDown', { name })} title={t('st.moveDown', { name })} disabled={index === count - 1} onClick={() => onMove(index + 1)}>
            ↓
          </button>
        </>
      ) : null}
      <button type="button" className="icon-button danger" aria-label={t('st.remove', { name })} title={t('st.remove', { name })} data-testid="row-remove" onClick={onRemove}>
        ✕
      </button>
    </span>
  );
}

/** Seconds, with what they are in minutes or hours when that reads better. */
export function secondsHint(text: string): string | null {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 120) return null;
  return n % 3600 === 0 ? `${n / 3600} h` : n % 60 === 0 ? `${n / 60} min` : `${(n / 60).toFixed(1)} min`;
}
