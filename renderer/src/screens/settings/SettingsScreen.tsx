import { memo, useEffect, useState, type FormEvent } from 'react';
import type { DesktopSettings } from '../../../../shared/api.ts';
import type { SettingsApi } from '../../api/client.ts';
import { LoadError } from '../../components/LoadError.tsx';
import { useI18n } from '../../i18nContext.tsx';

type SaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'refused'; errors: string[] };

/** Memoised so live updates never re-render (and disturb) a half-edited configuration. */
export const SettingsScreen = memo(function SettingsScreen({ settings }: { settings: SettingsApi }) {
  const { t } = useI18n();
  const [loaded, setLoaded] = useState<DesktopSettings | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setLoadError(null);
    settings.getSettings().then(
      (s) => !cancelled && setLoaded(s),
      (err: unknown) => !cancelled && setLoadError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      cancelled = true;
    };
  }, [settings, attempt]);

  return (
    <section className="settings" data-testid="settings-screen">
      <h1 className="screen-title">{t('settings.title')}</h1>
      {loadError ? <LoadError message={loadError} onRetry={() => setAttempt((n) => n + 1)} /> : null}
      {loaded ? <SettingsForm initial={loaded} settings={settings} onSaved={() => setAttempt((n) => n + 1)} /> : loadError ? null : <p className="placeholder">{t('app.loading')}</p>}
    </section>
  );
});

function SettingsForm({ initial, settings, onSaved }: { initial: DesktopSettings; settings: SettingsApi; onSaved(): void }) {
  const { t } = useI18n();
  const [configText, setConfigText] = useState(initial.configText);
  const [password, setPassword] = useState('');
  const [state, setState] = useState<SaveState>({ kind: 'idle' });

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setState({ kind: 'saving' });
    // The password leaves this form once; it is cleared whatever happens so it never lingers on screen.
    const brokerPassword = password === '' ? undefined : password;
    setPassword('');
    settings.saveSettings({ configText, brokerPassword }).then(
      (result) => {
        if (result.ok) {
          setState({ kind: 'saved' });
          onSaved();
        } else {
          setState({ kind: 'refused', errors: result.errors });
        }
      },
      (err: unknown) => setState({ kind: 'refused', errors: [err instanceof Error ? err.message : String(err)] }),
    );
  };

  return (
    <form className="settings-form" onSubmit={onSubmit}>
      <p className="note path">{t('settings.file', { path: initial.path })}</p>
      <label className="block">
        <span>{t('settings.config')}</span>
        <textarea data-testid="settings-config" spellCheck={false} rows={24} value={configText} onChange={(e) => setConfigText(e.target.value)} />
      </label>
      <fieldset className="password">
        <label className="block">
          <span>{t('settings.password')}</span>
          <input
            type="password"
            data-testid="settings-password"
            autoComplete="new-password"
            value={password}
            disabled={initial.passwordUnavailable !== null}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <p className="note">{t('settings.passwordHint')}</p>
        <p className="note" data-testid="settings-password-state">
          {initial.passwordStored ? t('settings.passwordStored') : t('settings.passwordNotStored')}
        </p>
        {initial.passwordUnavailable !== null ? (
          <p className="warning" data-testid="settings-password-unavailable">
            {t('settings.passwordUnavailable', { reason: initial.passwordUnavailable })}
          </p>
        ) : null}
      </fieldset>
      <button type="submit" className="primary" data-testid="settings-save" disabled={state.kind === 'saving'}>
        {state.kind === 'saving' ? t('settings.saving') : t('settings.save')}
      </button>
      <SaveResult state={state} />
    </form>
  );
}

function SaveResult({ state }: { state: SaveState }) {
  const { t } = useI18n();
  if (state.kind === 'saved') return <p className="ok" role="status">{t('settings.saved')}</p>;
  if (state.kind !== 'refused') return null;
  return (
    <div className="error" role="alert" data-testid="settings-errors">
      <p>{t('settings.errors')}</p>
      <ul>
        {state.errors.map((e, i) => (
          <li key={i}>{e}</li>
        ))}
      </ul>
    </div>
  );
}
