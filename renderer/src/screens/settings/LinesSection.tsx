// Lines: id, name, target takt, ideal cycle, stations in order, the output station, loss thresholds — and,
// above them, what telemetry shows that the configuration does not cover, to adopt in one step.
import { useState } from 'react';
import type { AdoptionHint } from '../../../../shared/api.ts';
import { lossThresholdsOf } from '../../../../shared/losses.ts';
import { agoParts } from '../../ago.ts';
import { formatCount } from '../../display.ts';
import { useI18n } from '../../i18nContext.tsx';
import { adopt, hintState, suggestedTakt } from './adoption.ts';
import { Field, FieldErrors, GroupHead, RowTools, SelectField, useFieldText, useForm } from './fields.tsx';
import { isNumberText, moveItem, newLine, removeLine, removeStation, renameLine, renameStation, replaceAt, toNumber, uniqueName, type LineForm } from './formModel.ts';

export function LinesSection({ hints, now, onAdopted }: { hints: AdoptionHint[] | null; now: number; onAdopted(line: number): void }) {
  const { form, update } = useForm();
  const { t } = useI18n();
  return (
    <div className="st-section" data-testid="section-lines">
      <AdoptionPanel hints={hints} now={now} onAdopted={onAdopted} />
      <GroupHead fieldKeyName="lines" level={2} />
      <FieldErrors path="lines" />
      {form.lines.map((line, i) => (
        <LinePanel key={i} line={line} i={i} />
      ))}
      <button type="button" data-testid="add-line" onClick={() => update((f) => ({ ...f, lines: [...f.lines, newLine(f)] }))}>
        + {t('st.addLine')}
      </button>
    </div>
  );
}

function LinePanel({ line, i }: { line: LineForm; i: number }) {
  const { form, update } = useForm();
  const { t } = useI18n();
  const text = useFieldText();
  const at = ['lines', i];
  const setLine = (next: LineForm) => update((f) => ({ ...f, lines: replaceAt(f.lines, i, next) }));
  const T = isNumberText(line.targetTaktS) ? (toNumber(line.targetTaktS) as number) : null;
  const defaults = T !== null && T > 0 ? lossThresholdsOf({ targetTaktS: T }) : null;
  return (
    <section className="panel st-item" data-testid="line-panel" data-line={line.id} id={`settings-line-${i}`}>
      <header className="st-item-head">
        <h3>
          {line.name || line.id || t('st.newLine')} <span className="card-id">{line.id}</span>
        </h3>
        <RowTools
          index={i}
          count={form.lines.length}
          name={line.id}
          onMove={(to) => update((f) => ({ ...f, lines: moveItem(f.lines, i, to) }))}
          onRemove={() => update((f) => removeLine(f, i))}
        />
      </header>
      <FieldErrors path={`lines[${i}]`} />
      <div className="st-grid">
        <Field at={[...at, 'id']} mono value={line.id} onChange={(v) => update((f) => renameLine(f, i, v))} />
        <Field at={[...at, 'name']} wide />
        <Field at={[...at, 'targetTaktS']} kind="number" />
        <Field at={[...at, 'idealCycleS']} kind="optionalNumber" placeholder={line.targetTaktS ? t('st.sameAs', { value: line.targetTaktS }) : undefined} />
        <Field at={[...at, 'smallStopAfterS']} kind="optionalNumber" placeholder={defaults ? t('st.defaultValue', { value: formatNum(defaults.S) }) : undefined} />
        <Field at={[...at, 'stopAfterS']} kind="optionalNumber" placeholder={defaults ? t('st.defaultValue', { value: formatNum(defaults.L) }) : undefined} />
      </div>
      <div className="st-stations">
        <GroupHead fieldKeyName="lines.stations" />
        <FieldErrors path={`lines[${i}].stations`} />
        <ol className="st-list" data-testid="station-list">
          {line.stations.map((s, j) => (
            <li key={j} className="st-list-row" data-testid="station-row">
              <span className="st-list-index">{j + 1}</span>
              <Field at={[...at, 'stations', j]} labelKey="lines.stations" bare noHelp mono value={s} onChange={(v) => setLine(renameStation(line, j, v))} />
              {s === line.outputStation && s !== '' ? <span className="tag tag-output">{t('st.output')}</span> : null}
              <RowTools index={j} count={line.stations.length} name={s} onMove={(to) => setLine({ ...line, stations: moveItem(line.stations, j, to) })} onRemove={() => setLine(removeStation(line, j))} />
            </li>
          ))}
        </ol>
        <button
          type="button"
          data-testid="add-station"
          onClick={() => {
            const name = uniqueName(`station-${line.stations.length + 1}`, line.stations);
            // The first station of an empty line is its output too.
            setLine({ ...line, stations: [...line.stations, name], outputStation: line.stations.length === 0 ? name : line.outputStation });
          }}
        >
          + {t('st.addStation')}
        </button>
      </div>
      <div className="st-grid">
        <SelectField
          at={[...at, 'outputStation']}
          options={line.stations.filter((s) => s !== '').map((s) => ({ value: s, label: s }))}
        />
      </div>
      <p className="st-help">{text.help('lines.thresholds')}</p>
    </section>
  );
}

function formatNum(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/** "Seen in telemetry, not configured": each becomes a line or a station of one with one click. */
function AdoptionPanel({ hints, now, onAdopted }: { hints: AdoptionHint[] | null; now: number; onAdopted(line: number): void }) {
  const { form, update, readOnly } = useForm();
  const { t } = useI18n();
  const [guessed, setGuessed] = useState<string | null>(null);
  if (!hints || hints.length === 0) {
    return hints ? <p className="note" data-testid="adoption-none">{t('st.adoptNone')}</p> : null;
  }
  const seen = (ts: number | null) => {
    if (ts === null) return t('st.neverSeen');
    const { unit, n } = agoParts(now - ts);
    return t(`ago.${unit}`, { n });
  };
  return (
    <section className="panel st-adopt" data-testid="adoption" aria-labelledby="adoption-title">
      <h2 id="adoption-title">{t('st.adoptTitle')}</h2>
      <p className="st-help">{t('st.adoptHelp')}</p>
      <ul className="st-adopt-list">
        {hints.map((h) => {
          const state = hintState(form, h);
          const takt = suggestedTakt(h.medianIntervalS);
          const id = h.station === null ? h.line : `${h.line}/${h.station}`;
          return (
            <li key={id} className="st-adopt-item" data-testid="adoption-hint" data-line={h.line} data-station={h.station ?? ''} data-state={state}>
              <div>
                <strong>{h.station === null ? t('st.adoptNewLine', { line: h.line }) : t('st.adoptNewStation', { line: h.line, station: h.station })}</strong>
                <span className="note">
                  {' '}
                  {t('st.adoptSeen', { ago: seen(h.lastSeen), messages: formatCount(h.messages) })}
                  {h.station === null ? ` · ${t('st.adoptStations', { stations: h.stations.join(', ') })}` : ''}
                  {h.station === null ? ` · ${takt === null ? t('st.adoptNoTakt') : t('st.adoptTakt', { takt })}` : ''}
                </span>
                {guessed === id ? <p className="warning">{t('st.adoptTaktGuessed')}</p> : null}
              </div>
              {state === 'in-form' ? (
                <span className="tag" data-testid="adoption-in-form">
                  {t('st.adoptInForm')}
                </span>
              ) : (
                <button
                  type="button"
                  className="primary"
                  disabled={readOnly}
                  data-testid="adopt"
                  onClick={() => {
                    const result = adopt(form, h);
                    update(() => result.form);
                    setGuessed(result.taktGuessed ? id : null);
                    onAdopted(result.lineIndex);
                  }}
                >
                  {h.station === null ? t('st.adoptLine') : t('st.adoptStation', { line: h.line })}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
