// The handover note of each shift of the view (CONTRACT §6.2 shiftNote): the newest one is shown with who
// wrote it and when; an operator (or, on the desktop, the person at the plant PC) writes a new one.
import { useId, useState } from 'react';
import type { ShiftNote } from '../../../../shared/api.ts';
import { useWriteAccess, useWriteErrorText } from '../../components/LoginBox.tsx';
import { useClient } from '../../clientContext.tsx';
import { formatDateTime } from '../../display.ts';
import { useI18n } from '../../i18nContext.tsx';

/** shiftNote's limit (shared/api-schemas.ts). */
const MAX_NOTE = 2000;

interface Props {
  date: string;
  line: string;
  /** The shifts of the view: the one picked, or every shift of the date for the whole day. */
  shifts: string[];
  notes: ShiftNote[];
  timezone: string;
  onSaved(): void;
}

export function ShiftNotes({ date, line, shifts, notes, timezone, onSaved }: Props) {
  if (shifts.length === 0) return null;
  return (
    <div className="shift-notes" data-testid="shift-notes">
      {shifts.map((shift) => (
        <NoteCard key={shift} date={date} line={line} shift={shift} note={notes.find((n) => n.shift === shift) ?? null} timezone={timezone} onSaved={onSaved} />
      ))}
    </div>
  );
}

function NoteCard({ date, line, shift, note, timezone, onSaved }: { date: string; line: string; shift: string; note: ShiftNote | null; timezone: string; onSaved(): void }) {
  const { t } = useI18n();
  const client = useClient();
  const access = useWriteAccess();
  const errorText = useWriteErrorText();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const id = useId();

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      await access.run('shiftNote', () => client.shiftNote({ date, shift, line, text }));
      setEditing(false);
      setSaved(true);
      onSaved();
    } catch (err) {
      setError(errorText(err, 'shiftNote'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="note-card" data-testid="shift-note" data-shift={shift}>
      <div className="note-head">
        <h4 id={`${id}-title`}>{t('note.shift', { shift })}</h4>
        {note && !editing ? (
          <span className="note" data-testid="shift-note-by">
            {t('note.byAt', { by: note.by, time: formatDateTime(note.at, timezone) })}
          </span>
        ) : null}
        {!editing ? (
          <button
            type="button"
            className="note-edit"
            data-testid="shift-note-edit"
            onClick={() => {
              setText(note?.text ?? '');
              setEditing(true);
              setSaved(false);
              setError(null);
            }}
          >
            {note ? t('note.edit') : t('note.write')}
          </button>
        ) : null}
      </div>
      {editing ? (
        <form
          className="note-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <textarea
            aria-label={t('note.label', { shift })}
            value={text}
            maxLength={MAX_NOTE}
            rows={4}
            placeholder={t('note.placeholder')}
            data-testid="shift-note-text"
            autoFocus
            onChange={(e) => setText(e.target.value)}
          />
          <div className="button-row">
            <button type="submit" className="primary" disabled={busy} data-testid="shift-note-save">
              {busy ? t('code.saving') : t('note.save')}
            </button>
            <button type="button" disabled={busy} onClick={() => setEditing(false)}>
              {t('code.cancel')}
            </button>
          </div>
        </form>
      ) : note && note.text ? (
        <p className="note-text untrusted" data-testid="shift-note-body" aria-labelledby={`${id}-title`}>
          {note.text}
        </p>
      ) : (
        <p className="note" data-testid="shift-note-empty">
          {t('note.none')}
        </p>
      )}
      {saved && !editing ? (
        <p className="ok" role="status">
          ✓ {t('note.saved')}
        </p>
      ) : null}
      {error ? (
        <p className="error" role="alert" data-testid="shift-note-error">
          {t('code.failed', { message: error })}
        </p>
      ) : null}
      {access.dialog}
    </div>
  );
}
