// Settings (issue 13): the plant configured from forms, adopted from telemetry, never by hand-editing JSON.
// The same screen in the desktop window (which acts as supervisor) and in the browser (read-only until a
// supervisor's token is given). Every change is checked by the engine's own schema as it is typed, its
// problems shown next to their fields, and saving records a configuration version from a chosen production
// date (CONTRACT §2.1).
import { memo, useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { ROLE_ORDER, type ConfigCheck, type ConfigView, type DesktopSettings, type Role } from '../../../../shared/api.ts';
import type { TaktboardClient } from '../../api/client.ts';
import { RequestError } from '../../api/webTransport.ts';
import { useClient } from '../../clientContext.tsx';
import { LoadError } from '../../components/LoadError.tsx';
import { useWriteAccess, useWriteErrorText } from '../../components/LoginBox.tsx';
import { usePolling } from '../../hooks/usePolling.ts';
import type { MessageKey } from '../../i18n.ts';
import { useI18n } from '../../i18nContext.tsx';
import { AlertsSection } from './AlertsSection.tsx';
import { AccessSection, BrokerSection, DisplaySection, FeedsSection, PlantSection, ReasonsSection, type BrokerTest, type NewToken } from './BasicSections.tsx';
import { indexErrors, NO_ERRORS, sectionOf, type SectionId } from './errors.ts';
import { FormContext, type SettingsCtx } from './fields.tsx';
import { configExportName, configFileJson } from '../../../../shared/config-export.ts';
import { canonical, exportConfig, formToConfig, importConfig, readForm, type FormModel } from './formModel.ts';
import { InputsSection } from './InputsSection.tsx';
import { LinesSection } from './LinesSection.tsx';
import { SavePanel, VersionHistory, type SaveState } from './SavePanel.tsx';
import { CalendarSection, ShiftsSection } from './ShiftsSection.tsx';

type Tab = SectionId | 'display' | 'history';
const TABS: Tab[] = ['lines', 'shifts', 'calendar', 'reasons', 'alerts', 'feeds', 'inputs', 'broker', 'access', 'plant', 'display', 'history'];
const CHECK_DELAY_MS = 300;
const HINTS_EVERY_MS = 10_000;
const HISTORY_EVERY_MS = 30_000;

/** Memoised so live updates never re-render (and disturb) a half-edited configuration. */
export const SettingsScreen = memo(function SettingsScreen() {
  const client = useClient();
  const { t } = useI18n();
  const [view, setView] = useState<ConfigView | null>(null);
  const [desktop, setDesktop] = useState<DesktopSettings | null>(null);
  const [today, setToday] = useState<string | null>(null);
  const [timezone, setTimezone] = useState<string>('UTC');
  const [loadError, setLoadError] = useState<{ message: string; words: RequestError['words'] } | null>(null);
  const [attempt, setAttempt] = useState(0);
  const signedIn = useSignedIn(client);

  useEffect(() => {
    let cancelled = false;
    setLoadError(null);
    Promise.all([client.getConfig({}), client.settings ? client.settings.getSettings() : Promise.resolve(null), client.shiftCalendar({})]).then(
      ([v, d, cal]) => {
        if (cancelled) return;
        setView(v);
        setDesktop(d);
        setToday(cal.today);
        setTimezone(cal.timezone);
      },
      (err: unknown) => !cancelled && setLoadError({ message: err instanceof Error ? err.message : String(err), words: err instanceof RequestError ? err.words : null }),
    );
    return () => {
      cancelled = true;
    };
  }, [client, attempt, signedIn]);

  return (
    <section className="settings" data-testid="settings-screen">
      <h1 className="screen-title">{t('settings.title')}</h1>
      {loadError ? <LoadError message={loadError.message} words={loadError.words} onRetry={() => setAttempt((n) => n + 1)} /> : null}
      {view ? (
        <SettingsBody view={view} desktop={desktop} today={today} timezone={timezone} reload={() => setAttempt((n) => n + 1)} />
      ) : loadError ? null : (
        <p className="placeholder">{t('app.loading')}</p>
      )}
    </section>
  );
});

function useSignedIn(client: TaktboardClient): boolean {
  const auth = client.auth;
  const subscribe = useCallback((l: () => void) => (auth ? auth.onChange(l) : () => {}), [auth]);
  return useSyncExternalStore(subscribe, () => auth?.signedIn() ?? false);
}

function SettingsBody({ view, desktop, today, timezone, reload }: { view: ConfigView; desktop: DesktopSettings | null; today: string | null; timezone: string; reload(): void }) {
  const client = useClient();
  const { t } = useI18n();
  const access = useWriteAccess();
  const writeError = useWriteErrorText();
  const baseline = useMemo(() => canonical(view.config), [view.config]);
  const [form, setForm] = useState<FormModel>(() => readForm(view.config).form);
  const [tab, setTab] = useState<Tab>('lines');
  const [check, setCheck] = useState<ConfigCheck | null>(null);
  const [checking, setChecking] = useState(false);
  const [effectiveFrom, setEffectiveFrom] = useState<string>(today ?? '');
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const [password, setPassword] = useState('');
  const [brokerTest, setBrokerTest] = useState<BrokerTest>({ kind: 'idle' });
  const [created, setCreated] = useState<NewToken>(null);
  const [creating, setCreating] = useState(false);
  const [createError, setCreateError] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ kind: 'import' | 'exported' | 'error'; text: string; ignored?: string[]; keptAccess?: boolean } | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);

  const draft = useMemo(() => formToConfig(form), [form]);
  const draftKey = useMemo(() => canonical(draft), [draft]);
  const dirty = draftKey !== baseline || password !== '';
  const editable = view.editable;
  const fileSave = desktop !== null && !view.persisted;

  // A new running configuration (after a save, or a sign-in that changed nothing) resets an unchanged form.
  const lastBaseline = useRef(baseline);
  useEffect(() => {
    if (lastBaseline.current === baseline) return;
    lastBaseline.current = baseline;
    setForm(readForm(view.config).form);
  }, [baseline, view.config]);
  useEffect(() => {
    if (today && effectiveFrom === '') setEffectiveFrom(today);
  }, [today, effectiveFrom]);

  // Every change is checked by the engine's schema, a moment after typing stops; late answers are dropped.
  const tRef = useRef(t);
  tRef.current = t;
  // Read-only, nothing can be saved (and a viewer's copy has the token hashes blanked): nothing to check.
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    if (!editable) {
      setCheck(null);
      setChecking(false);
      return;
    }
    setChecking(true);
    const timer = setTimeout(() => {
      const from = /^\d{4}-\d{2}-\d{2}$/.test(effectiveFrom) ? effectiveFrom : undefined;
      client.checkConfig({ config: draft, effectiveFrom: from }).then(
        (r) => {
          if (seq.current !== mine) return;
          setCheck(r);
          setChecking(false);
        },
        (err: unknown) => {
          if (seq.current !== mine) return;
          const message = err instanceof Error ? err.message : String(err);
          const text = tRef.current('st.checkFailed', { message });
          setCheck({ ok: false, errors: [{ path: '', message: text, words: { key: 'text', params: { text } } }], summary: '', summaryWords: [], config: null, changedDates: [], reconnects: false });
          setChecking(false);
        },
      );
    }, CHECK_DELAY_MS);
    return () => clearTimeout(timer);
    // draftKey stands for draft: the same configuration is not checked twice.
  }, [client, draftKey, effectiveFrom, editable]);

  const errors = useMemo(() => (check && !check.ok ? indexErrors(check.errors) : NO_ERRORS), [check]);

  const hints = usePolling(() => client.adoptionHints({}), 'adoption', HINTS_EVERY_MS);
  // Read again after every save here (the baseline changes) and now and then for saves made elsewhere.
  const history = usePolling(() => client.configHistory({}), `history-${baseline}`, HISTORY_EVERY_MS);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => setNow(Date.now()), [hints.data]);

  const ctx: SettingsCtx = useMemo(() => ({ form, update: (change) => setForm((f) => change(f)), errors, readOnly: !editable }), [form, errors, editable]);

  const extraChanges = useMemo(() => connectionChanges(t, view.config, draft, password !== ''), [t, view.config, draft, password]);

  const signIn = () => {
    void access
      .run('applyConfig', async () => {
        const v = await client.getConfig({});
        if (!v.editable) throw new RequestError('Settings need the supervisor role', client.auth?.signedIn() ? 403 : 401);
        return v;
      })
      .then(
        () => reload(),
        () => undefined,
      );
  };

  const onSave = async () => {
    setSave({ kind: 'saving' });
    const brokerPassword = password === '' ? undefined : password;
    const configText = JSON.stringify(draft, null, 2) + '\n';
    try {
      if (fileSave && client.settings) {
        // The desktop without a plant file (the demo runs): the file is written and started, effective today.
        setPassword('');
        const r = await client.settings.saveSettings({ configText, brokerPassword });
        setSave(r.ok ? { kind: 'saved', result: { ok: true, viaFile: true } } : { kind: 'refused', errors: r.errors, problems: r.problems, words: r.words });
        if (r.ok) reload();
        return;
      }
      const r = await access.run('applyConfig', () => client.applyConfig({ config: draft, effectiveFrom }));
      if (!r.ok) {
        setSave({ kind: 'refused', errors: r.errors, problems: r.problems });
        return;
      }
      if (brokerPassword !== undefined && client.settings) {
        // The password is kept with the OS keychain by the desktop shell, which restarts the engine with it.
        setPassword('');
        const p = await client.settings.saveSettings({ configText, brokerPassword });
        if (!p.ok) {
          setSave({ kind: 'refused', errors: p.errors, problems: p.problems, words: p.words });
          return;
        }
      }
      setSave({ kind: 'saved', result: r });
      setCreated(null);
      reload();
    } catch (err) {
      setSave({ kind: 'failed', message: writeError(err, 'applyConfig') });
    }
  };

  const onTest = async () => {
    setBrokerTest({ kind: 'testing' });
    try {
      const r = await access.run('testBroker', () => client.testBroker({ broker: draft.broker, password: password === '' ? undefined : password }));
      setBrokerTest({ kind: 'done', ok: r.ok, message: r.message, words: r.words });
    } catch (err) {
      setBrokerTest({ kind: 'failed', message: writeError(err, 'testBroker') });
    }
  };

  const onCreateToken = async (name: string, role: string) => {
    setCreating(true);
    setCreateError(null);
    try {
      const r = await access.run('createToken', () => client.createToken({}));
      // Only the hash goes into the configuration; the token itself is shown once, here.
      setForm((f) => ({ ...f, access: { tokens: [...f.access.tokens, { name, role, sha256: r.sha256 }] } }));
      setCreated({ name, role, token: r.token });
    } catch (err) {
      setCreateError(writeError(err, 'createToken'));
    } finally {
      setCreating(false);
    }
  };

  /** A configuration file's text (the browser's file input, or the desktop's open dialog) loaded into the form. */
  const loadImported = (name: string, text: string) => {
    let value: unknown;
    try {
      value = configFileJson(text);
    } catch (err) {
      setNotice({ kind: 'error', text: t('st.importNotJson', { file: name, message: err instanceof Error ? err.message : String(err) }) });
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      setNotice({ kind: 'error', text: t('st.importNotObject', { file: name }) });
      return;
    }
    const r = importConfig(value, form);
    setForm(r.form);
    setSave({ kind: 'idle' });
    setNotice({ kind: 'import', text: t('st.imported', { file: name }), ignored: r.ignored, keptAccess: r.keptAccess });
  };

  const onImport = async (file: File) => loadImported(file.name, await file.text());

  const onImportClick = async () => {
    if (!client.settings) return fileRef.current?.click();
    try {
      const file = await client.settings.importConfigFile();
      if (file) loadImported(file.name, file.text);
    } catch (err) {
      setNotice({ kind: 'error', text: t('st.importFailed', { message: err instanceof Error ? err.message : String(err) }) });
    }
  };

  const onExport = async () => {
    if (client.settings) {
      // The desktop: a save dialog, and the same text written by the main process from the running configuration.
      try {
        const r = await client.settings.exportConfigFile();
        if (r.kind === 'saved') setNotice({ kind: 'exported', text: t('st.exported', { path: r.path }) });
      } catch (err) {
        setNotice({ kind: 'error', text: t('st.exportFailed', { message: err instanceof Error ? err.message : String(err) }) });
      }
      return;
    }
    const text = exportConfig(view.config);
    const href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = href;
    a.download = configExportName(readForm(view.config).form.site, today);
    a.rel = 'noopener';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 60_000);
  };

  const showError = (path: string) => {
    setTab(sectionOf(path));
    requestAnimationFrame(() => {
      const el = document.querySelector<HTMLElement>(`[data-path="${CSS.escape(path)}"]`) ?? document.querySelector<HTMLElement>(`[data-path^="${CSS.escape(path)}"]`);
      el?.focus();
      el?.scrollIntoView({ block: 'center' });
    });
  };

  const adoptable = (hints.data ?? []).length;
  const tabLabel = (x: Tab): string => t(`st.section.${x}` as MessageKey);
  return (
    <FormContext.Provider value={ctx}>
      <div className="st-layout" data-editable={editable} data-dirty={dirty}>
        <nav className="st-tabs" aria-label={t('settings.title')}>
          {TABS.map((x) => {
            const n = x === 'display' || x === 'history' ? 0 : (errors.bySection[x] ?? 0);
            return (
              <button key={x} type="button" className={tab === x ? 'st-tab active' : 'st-tab'} aria-current={tab === x ? 'page' : undefined} data-testid={`tab-${x}`} onClick={() => setTab(x)}>
                {tabLabel(x)}
                {n ? (
                  <span className="st-badge error-badge" aria-label={t('st.problems', { count: n })}>
                    {n}
                  </span>
                ) : null}
                {x === 'lines' && adoptable ? (
                  <span className="st-badge" title={t('st.adoptTitle')}>
                    {adoptable}
                  </span>
                ) : null}
              </button>
            );
          })}
          <div className="st-file">
            <button type="button" data-testid="settings-export" onClick={() => void onExport()}>
              {t('st.export')}
            </button>
            <button type="button" data-testid="settings-import" disabled={!editable} onClick={() => void onImportClick()}>
              {t('st.import')}
            </button>
            <input
              ref={fileRef}
              type="file"
              accept=".json,application/json"
              hidden
              data-testid="settings-import-file"
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = '';
                if (file) void onImport(file);
              }}
            />
            <p className="st-help">{t('st.exportHelp')}</p>
          </div>
        </nav>
        <div className="st-content">
          {notice ? (
            <div className={notice.kind === 'error' ? 'error panel' : 'panel st-callout'} role="status" data-testid="import-notice">
              <p>{notice.text}</p>
              {notice.ignored?.length ? <p className="warning">{t('st.importIgnored', { fields: notice.ignored.join(', ') })}</p> : null}
              {notice.keptAccess ? <p className="note">{t('st.importKeptAccess')}</p> : null}
              <button type="button" onClick={() => setNotice(null)}>
                {t('st.tokenDismiss')}
              </button>
            </div>
          ) : null}
          {tab === 'display' ? (
            <DisplaySection />
          ) : tab === 'history' ? (
            <VersionHistory history={history.data} timezone={timezone} today={today} />
          ) : (
            <fieldset className="st-fieldset" disabled={!editable} data-testid="settings-form">
              <legend className="sr-only">{tabLabel(tab)}</legend>
              {tab === 'lines' ? (
                <LinesSection
                  hints={hints.data}
                  now={now}
                  onAdopted={(i) => requestAnimationFrame(() => document.getElementById(`settings-line-${i}`)?.scrollIntoView({ block: 'start' }))}
                />
              ) : tab === 'shifts' ? (
                <ShiftsSection />
              ) : tab === 'calendar' ? (
                <CalendarSection today={today} />
              ) : tab === 'reasons' ? (
                <ReasonsSection />
              ) : tab === 'alerts' ? (
                <AlertsSection />
              ) : tab === 'feeds' ? (
                <FeedsSection />
              ) : tab === 'inputs' ? (
                <InputsSection hints={hints.data} />
              ) : tab === 'broker' ? (
                <BrokerSection desktop={desktop} onPick={client.settings?.pickFile ?? null} password={password} setPassword={setPassword} test={brokerTest} onTest={() => void onTest()} />
              ) : tab === 'access' ? (
                <AccessSection onCreate={(n, r) => void onCreateToken(n, r)} created={created} onDismiss={() => setCreated(null)} creating={creating} createError={createError} />
              ) : (
                <PlantSection desktop={client.kind === 'desktop'} file={desktop?.path ?? null} />
              )}
            </fieldset>
          )}
        </div>
        <SavePanel
          form={form}
          errors={errors}
          check={check}
          checking={checking}
          dirty={dirty}
          editable={editable}
          canSignIn={client.auth !== null}
          onSignIn={signIn}
          today={today}
          effectiveFrom={effectiveFrom}
          setEffectiveFrom={setEffectiveFrom}
          fileSave={fileSave}
          extraChanges={extraChanges}
          state={save}
          onSave={() => void onSave()}
          onDiscard={() => {
            setForm(readForm(view.config).form);
            setPassword('');
            setSave({ kind: 'idle' });
            setNotice(null);
          }}
          onShowError={showError}
          demo={view.demo}
          persisted={view.persisted}
        />
      </div>
      {access.dialog}
    </FormContext.Provider>
  );
}

/** What the engine's summary leaves out (it compares versioned parts only): the broker and the access tokens. */
function connectionChanges(t: ReturnType<typeof useI18n>['t'], running: unknown, draft: Record<string, unknown>, password: boolean): string[] {
  const out: string[] = [];
  const r = (running ?? {}) as Record<string, unknown>;
  if (canonical(r.broker) !== canonical(draft.broker)) out.push(t('st.brokerChanged'));
  if (password) out.push(t('st.passwordChanged'));
  const role = (r: string) => ((ROLE_ORDER as readonly string[]).includes(r) ? t(`role.${r as Role}`) : r);
  const names = (v: unknown) => new Map(((v as { tokens?: { name: string; role: string; sha256: string }[] } | undefined)?.tokens ?? []).map((x) => [x.sha256, x]));
  const before = names(r.access);
  const after = names(draft.access);
  for (const [h, x] of after) if (!before.has(h)) out.push(t('st.tokenAdded', { name: x.name, role: role(x.role) }));
  for (const [h, x] of before) if (!after.has(h)) out.push(t('st.tokenRevoked', { name: x.name }));
  for (const [h, x] of after) {
    const b = before.get(h);
    if (b && (b.name !== x.name || b.role !== x.role)) out.push(t('st.tokenChanged', { name: x.name, role: role(x.role) }));
  }
  return out;
}
