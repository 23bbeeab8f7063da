// The operator's word on a stop (CONTRACT §6.2 codeStop), in two clicks: "code this stop", then a reason
// from the plant's catalogue (its labels in the UI language) or typed; a comment is optional. Used by the
// stops table in History and by the open stop on the Line screen.
import { useId, useMemo, useState } from 'react';
import type { StopRow } from '../../../../shared/api.ts';
import { useWriteAccess, useWriteErrorText } from '../../components/LoginBox.tsx';
import { useClient } from '../../clientContext.tsx';
import { usePolling } from '../../hooks/usePolling.ts';
import { useI18n } from '../../i18nContext.tsx';
import { pickableReasons, reasonLabel, reasonsOf, type CatalogueReason } from './losses.ts';

/** Limits of the codeStop arguments (shared/api-schemas.ts). */
const MAX_REASON = 128;
const MAX_COMMENT = 500;

/** The plant's reason catalogue (getConfig), asked once per screen; empty until it comes (or if it does not). */
export function useReasonCatalogue(): CatalogueReason[] {
  const client = useClient();
  const config = usePolling(() => client.getConfig({}), 'config', null);
  return useMemo(() => reasonsOf(config.data?.config), [config.data]);
}

/** A reason as people read it, with the recorded code beside a catalogue label (the CSV holds the code). */
export function ReasonText({ reason, catalogue, kind = 'down' }: { reason: string; catalogue: readonly CatalogueReason[]; kind?: 'down' | 'reject' }) {
  const { t, lang } = useI18n();
  if (reason === 'unspecified') return <span className="reason reason-unspecified">{t('reason.unspecified')}</span>;
  const label = reasonLabel(reason, catalogue, lang, kind);
  return (
    <span className="reason untrusted">
      {label}
      {label !== reason ? <code className="reason-code">{reason}</code> : null}
    </span>
  );
}

export const SOURCE_ICON: Record<StopRow['source'], string> = { machine: '⚙', operator: '✎', none: '○' };

/** Who gave the reason, as an icon and a word (never colour alone). */
export function SourceBadge({ source }: { source: StopRow['source'] }) {
  const { t } = useI18n();
  return (
    <span className={`source source-${source}`} data-source={source}>
      <span aria-hidden="true">{SOURCE_ICON[source]}</span> {t(`source.${source}`)}
    </span>
  );
}

export interface StopTarget {
  line: string;
  station: string | null;
  /** Where the stop begins (its `stopStart`): what codeStop names it by. */
  start: number;
}

interface PickerProps {
  target: StopTarget;
  catalogue: readonly CatalogueReason[];
  /** What the stop is, in words, for the picker's heading. */
  title: string;
  onCoded(reason: string, comment: string | null): void;
  onCancel(): void;
}

/** The second click: a reason button saves at once (with the comment typed before, if any). */
export function CodeStopPicker({ target, catalogue, title, onCoded, onCancel }: PickerProps) {
  const { t, lang } = useI18n();
  const client = useClient();
  const access = useWriteAccess();
  const errorText = useWriteErrorText();
  const [comment, setComment] = useState('');
  const [free, setFree] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = useId();
  const reasons = pickableReasons(catalogue, 'down');

  const save = async (reason: string) => {
    const code = reason.trim();
    if (!code || busy) return;
    setBusy(true);
    setError(null);
    const note = comment.trim() ? comment.trim() : null;
    try {
      await access.run('codeStop', () => client.codeStop({ line: target.line, station: target.station, start: target.start, reason: code, ...(note ? { comment: note } : {}) }));
      onCoded(code, note);
    } catch (err) {
      setError(errorText(err, 'codeStop'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="code-picker" data-testid="code-picker" role="group" aria-labelledby={`${ids}-title`}>
      <p className="code-picker-title" id={`${ids}-title`}>
        <strong>{t('stops.code')}</strong> · {title}
      </p>
      <label className="code-comment">
        {t('code.comment')}
        <input type="text" value={comment} maxLength={MAX_COMMENT} data-testid="code-comment" onChange={(e) => setComment(e.target.value)} />
      </label>
      {reasons.length > 0 ? (
        <>
          <p className="note">{t('code.pick')}</p>
          <div className="reason-buttons" data-testid="code-reasons">
            {reasons.map((r) => (
              <button key={r.code} type="button" disabled={busy} data-testid="code-reason" data-code={r.code} onClick={() => void save(r.code)}>
                {reasonLabel(r.code, catalogue, lang)} <code className="reason-code">{r.code}</code>
              </button>
            ))}
          </div>
        </>
      ) : (
        <p className="note">{t('code.noCatalogue')}</p>
      )}
      <form
        className="code-free"
        onSubmit={(e) => {
          e.preventDefault();
          void save(free);
        }}
      >
        <label>
          {t('code.freeText')}
          <input type="text" value={free} maxLength={MAX_REASON} data-testid="code-free" onChange={(e) => setFree(e.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={busy || !free.trim()} data-testid="code-free-save">
          {busy ? t('code.saving') : t('code.save')}
        </button>
        <button type="button" onClick={onCancel} disabled={busy} data-testid="code-cancel">
          {t('code.cancel')}
        </button>
      </form>
      {error ? (
        <p className="error" role="alert" data-testid="code-error">
          {t('code.failed', { message: error })}
        </p>
      ) : null}
      {access.dialog}
    </div>
  );
}
