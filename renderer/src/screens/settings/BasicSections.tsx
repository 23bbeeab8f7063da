// The smaller Settings sections: the plant, the broker, reasons, line feeds, access tokens, and this screen's
// own language and theme.
import { useId, useState } from 'react';
import type { DesktopSettings, TlsFilePurpose } from '../../../../shared/api.ts';
import { ROLE_ORDER, TLS_FILE_PURPOSES } from '../../../../shared/api.ts';
import type { Words } from '../../../../shared/words.ts';
import { LANGUAGES, type Language } from '../../i18n.ts';
import { useI18n } from '../../i18nContext.tsx';
import { CheckField, Field, FieldErrors, GroupHead, RowTools, SelectField, secondsHint, setIn, useFieldText, useForm } from './fields.tsx';
import { moveItem, removeAt, uniqueName } from './formModel.ts';
import { THEMES, useTheme, type Theme } from './theme.ts';

/** The plant's IANA zones for the timezone field's suggestions (any valid name is accepted). */
function timezones(): string[] {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['Asia/Shanghai'];
  }
}

/** `file`: the desktop's configuration file (the browser shell does not say where serve keeps its own). */
export function PlantSection({ desktop, file }: { desktop: boolean; file: string | null }) {
  const { form } = useForm();
  const { t } = useI18n();
  const zonesId = useId();
  const extra = Object.keys(form.extra);
  return (
    <div className="st-section" data-testid="section-plant">
      <GroupHead fieldKeyName="plant" level={2} />
      {file ? <p className="note path">{t('settings.file', { path: file })}</p> : null}
      <div className="st-grid">
        <Field at={['site']} mono />
        <Field at={['timezone']} mono list={zonesId} />
        <datalist id={zonesId}>
          {timezones().map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
      </div>
      <GroupHead fieldKeyName="retention" />
      <div className="st-grid">
        <Field at={['retention', 'rawDays']} kind="number" />
        <Field at={['retention', 'quarantineRows']} kind="number" />
      </div>
      <GroupHead fieldKeyName="storage" />
      <div className="st-grid">
        <SelectField
          at={['storage', 'synchronous']}
          options={[
            { value: 'NORMAL', label: t('st.sync.normal') },
            { value: 'FULL', label: t('st.sync.full') },
          ]}
        />
        <Field at={['storage', 'backupEveryH']} kind="number" />
        <Field at={['storage', 'backupsKept']} kind="number" />
      </div>
      <div className="st-grid">
        <Field at={['autoExportDir']} kind="optional" mono wide />
      </div>
      <p className="note">{desktop ? t('st.noDialog') : t('st.serverPaths')}</p>
      {extra.length ? (
        <p className="note st-callout" data-testid="extra-fields">
          {t('st.extraFields', { fields: extra.join(', ') })}
        </p>
      ) : null}
    </div>
  );
}

export type BrokerTest = { kind: 'idle' } | { kind: 'testing' } | { kind: 'done'; ok: boolean; message: string; words: Words } | { kind: 'failed'; message: string };

/** The desktop's open dialog for a TLS file: the chosen path, or null when cancelled. */
export type PickFile = (purpose: TlsFilePurpose) => Promise<string | null>;

export function BrokerSection({
  desktop,
  onPick,
  password,
  setPassword,
  test,
  onTest,
}: {
  desktop: DesktopSettings | null;
  /** Present in the desktop window only: a Choose… button beside each TLS file's path. */
  onPick: PickFile | null;
  password: string;
  setPassword(p: string): void;
  test: BrokerTest;
  onTest(): void;
}) {
  const { form } = useForm();
  const { t, tWords } = useI18n();
  const pwId = useId();
  const tls = /^(mqtts|wss):/.test(form.broker.url);
  return (
    <div className="st-section" data-testid="section-broker">
      <GroupHead fieldKeyName="broker" level={2} />
      <FieldErrors path="broker" />
      <div className="st-grid">
        <Field at={['broker', 'url']} mono wide placeholder="mqtt://192.168.1.20:1883" />
        <Field at={['broker', 'clientId']} kind="optional" mono />
        <Field at={['broker', 'username']} mono />
        {desktop ? (
          <div className="st-field">
            <label htmlFor={pwId} className="st-label">
              {t('f.broker.password')}
            </label>
            <input
              id={pwId}
              type="password"
              autoComplete="new-password"
              value={password}
              disabled={desktop.passwordUnavailable !== null}
              data-testid="settings-password"
              onChange={(e) => setPassword(e.target.value)}
            />
            <p className="st-help">{t('h.broker.password')}</p>
            <p className="note" data-testid="settings-password-state">
              {desktop.passwordStored ? t('settings.passwordStored') : t('settings.passwordNotStored')}
            </p>
            {desktop.passwordUnavailable !== null ? (
              <p className="warning" data-testid="settings-password-unavailable">
                {t('settings.passwordUnavailable', { reason: desktop.passwordUnavailable })}
              </p>
            ) : null}
          </div>
        ) : null}
        <Field at={['broker', 'passwordFile']} kind="optional" mono wide />
      </div>
      {!desktop ? <p className="note">{t('st.passwordWeb')}</p> : null}
      <div className="st-grid">
        <Field at={['broker', 'topicPattern']} mono wide />
        <SelectField
          at={['broker', 'protocolVersion']}
          options={[
            { value: '5', label: t('st.mqtt5') },
            { value: '4', label: t('st.mqtt311') },
          ]}
        />
        <Field at={['broker', 'keepaliveS']} kind="number" />
        <Field at={['broker', 'sessionExpiryS']} kind="number" placeholder={secondsHint(form.broker.sessionExpiryS) ?? undefined} />
      </div>
      <GroupHead fieldKeyName="broker.tls">{!tls ? <span className="tag">{t('st.tlsUnused')}</span> : null}</GroupHead>
      <p className="note">{onPick ? t('st.tlsDialog') : desktop ? t('st.noDialog') : t('st.serverPaths')}</p>
      <div className="st-grid">
        {TLS_FILE_PURPOSES.map((purpose) => (
          <TlsFileField key={purpose} purpose={purpose} onPick={onPick} />
        ))}
        <CheckField at={['broker', 'rejectUnauthorized']} />
      </div>
      <div className="st-test">
        <button type="button" data-testid="broker-test" disabled={test.kind === 'testing'} onClick={onTest}>
          {test.kind === 'testing' ? t('st.testing') : t('st.testBroker')}
        </button>
        <span className="st-help">{t('st.testBrokerHelp')}</span>
        {test.kind === 'done' ? (
          <p className={test.ok ? 'ok' : 'error'} role="status" data-testid="broker-test-result" data-ok={test.ok}>
            {test.ok ? t('st.testOk') : t('st.testFailed')} <span className="untrusted">{tWords(test.words, test.message)}</span>
          </p>
        ) : test.kind === 'failed' ? (
          <p className="error" role="alert" data-testid="broker-test-result" data-ok="false">
            {test.message}
          </p>
        ) : null}
      </div>
    </div>
  );
}

/** A TLS file's path: typed, or in the desktop chosen in the open dialog (the field stays editable). */
function TlsFileField({ purpose, onPick }: { purpose: TlsFilePurpose; onPick: PickFile | null }) {
  const { update, readOnly } = useForm();
  const { t } = useI18n();
  const text = useFieldText();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!onPick) return <Field at={['broker', purpose]} kind="optional" mono wide />;
  const choose = async () => {
    setBusy(true);
    setError(null);
    try {
      const chosen = await onPick(purpose);
      if (chosen !== null) update((f) => setIn(f, ['broker', purpose], chosen));
    } catch (err) {
      setError(t('st.tlsChooseFailed', { message: err instanceof Error ? err.message : String(err) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="st-pick">
      <Field
        at={['broker', purpose]}
        kind="optional"
        mono
        wide
        action={
          <button
            type="button"
            data-testid={`choose-broker.${purpose}`}
            disabled={readOnly || busy}
            aria-label={t('st.tlsChooseLabel', { field: text.label(`broker.${purpose}`) })}
            onClick={() => void choose()}
          >
            {t('st.tlsChoose')}
          </button>
        }
      />
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function ReasonsSection() {
  const { form, update } = useForm();
  const { t } = useI18n();
  return (
    <div className="st-section" data-testid="section-reasons">
      <GroupHead fieldKeyName="reasons" level={2} />
      <FieldErrors path="reasons" />
      {form.reasons.length ? (
        <table className="table compact st-table">
          <thead>
            <tr>
              <th>{t('f.reasons.code')}</th>
              <th>{t('f.reasons.label')}</th>
              <th>{t('f.reasons.labelZh')}</th>
              <th>{t('f.reasons.kind')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {form.reasons.map((r, i) => (
              <tr key={i} data-testid="reason-row">
                <td>
                  <Field at={['reasons', i, 'code']} bare noHelp mono />
                </td>
                <td>
                  <Field at={['reasons', i, 'label']} bare noHelp />
                </td>
                <td>
                  <Field at={['reasons', i, 'labelZh']} kind="optional" bare noHelp />
                </td>
                <td>
                  <SelectField
                    at={['reasons', i, 'kind']}
                    bare
                    noHelp
                    options={[
                      { value: 'down', label: t('st.kind.down') },
                      { value: 'reject', label: t('st.kind.reject') },
                    ]}
                  />
                </td>
                <td>
                  <RowTools index={i} count={form.reasons.length} name={r.code} onMove={(to) => update((f) => ({ ...f, reasons: moveItem(f.reasons, i, to) }))} onRemove={() => update((f) => ({ ...f, reasons: removeAt(f.reasons, i) }))} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p className="st-help">{t('h.reasons.columns')}</p>
      <button
        type="button"
        data-testid="add-reason"
        onClick={() => update((f) => ({ ...f, reasons: [...f.reasons, { code: uniqueName('CODE', f.reasons.map((r) => r.code)), label: '', labelZh: null, kind: 'down' }] }))}
      >
        + {t('st.addReason')}
      </button>
    </div>
  );
}

export function FeedsSection() {
  const { form, update } = useForm();
  const { t } = useI18n();
  const lines = form.lines.map((l) => ({ value: l.id, label: l.name && l.name !== l.id ? `${l.id} · ${l.name}` : l.id }));
  return (
    <div className="st-section" data-testid="section-feeds">
      <GroupHead fieldKeyName="feeds" level={2} />
      <FieldErrors path="feeds" />
      <ul className="st-list">
        {form.feeds.map((f, i) => (
          <li key={i} className="st-list-row st-feed" data-testid="feed-row">
            <SelectField at={['feeds', i, 'from']} options={lines} noHelp />
            <span aria-hidden="true">→</span>
            <SelectField at={['feeds', i, 'to']} options={lines} noHelp />
            <Field at={['feeds', i, 'perUnit']} kind="number" noHelp />
            <RowTools index={i} count={form.feeds.length} name={`${f.from} → ${f.to}`} onRemove={() => update((x) => ({ ...x, feeds: removeAt(x.feeds, i) }))} />
          </li>
        ))}
      </ul>
      <p className="st-help">{t('h.feeds.columns')}</p>
      <button
        type="button"
        data-testid="add-feed"
        disabled={form.lines.length < 2}
        onClick={() => update((x) => ({ ...x, feeds: [...x.feeds, { from: x.lines[0]?.id ?? '', to: x.lines[1]?.id ?? '', perUnit: '1' }] }))}
      >
        + {t('st.addFeed')}
      </button>
    </div>
  );
}

export type NewToken = { name: string; role: string; token: string } | null;

export function AccessSection({ onCreate, created, onDismiss, creating, createError }: { onCreate(name: string, role: string): void; created: NewToken; onDismiss(): void; creating: boolean; createError: string | null }) {
  const { form, update, readOnly } = useForm();
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [role, setRole] = useState<string>('operator');
  const [copied, setCopied] = useState(false);
  const roles = ROLE_ORDER.map((r) => ({ value: r, label: t(`role.${r}`) }));
  const nameTaken = form.access.tokens.some((x) => x.name === name.trim());
  return (
    <div className="st-section" data-testid="section-access">
      <GroupHead fieldKeyName="access.tokens" level={2} />
      <FieldErrors path="access.tokens" />
      {created ? (
        <div className="panel st-token-once" role="status" data-testid="token-once">
          <p>
            <strong>{t('st.tokenOnce', { name: created.name })}</strong>
          </p>
          <code className="st-token" data-testid="token-value">
            {created.token}
          </code>
          <p className="warning">{t('st.tokenSaveFirst')}</p>
          <div className="button-row">
            <button
              type="button"
              onClick={() => {
                void navigator.clipboard?.writeText(created.token).then(
                  () => setCopied(true),
                  () => setCopied(false),
                );
              }}
            >
              {copied ? t('diag.copied') : t('diag.copy')}
            </button>
            <button type="button" data-testid="token-dismiss" onClick={onDismiss}>
              {t('st.tokenDismiss')}
            </button>
          </div>
        </div>
      ) : null}
      {form.access.tokens.length ? (
        <table className="table compact st-table">
          <thead>
            <tr>
              <th>{t('f.access.tokens.name')}</th>
              <th>{t('f.access.tokens.role')}</th>
              <th>{t('f.access.tokens.sha256')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {form.access.tokens.map((tok, i) => (
              <tr key={i} data-testid="token-row" data-name={tok.name}>
                <td>
                  <Field at={['access', 'tokens', i, 'name']} bare noHelp />
                </td>
                <td>
                  <SelectField at={['access', 'tokens', i, 'role']} options={roles} bare noHelp />
                </td>
                <td className="mono st-hash" title={tok.sha256}>
                  {tok.sha256.slice(0, 12)}…
                  <FieldErrors path={`access.tokens[${i}].sha256`} />
                </td>
                <td>
                  <button type="button" className="danger" data-testid="token-revoke" onClick={() => update((f) => ({ ...f, access: { tokens: removeAt(f.access.tokens, i) } }))}>
                    {t('st.revoke')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="note">{t('st.noTokens')}</p>
      )}
      <p className="st-help">{t('h.access.revoke')}</p>
      <div className="st-create-token">
        <h3>{t('st.createToken')}</h3>
        <div className="st-grid">
          <div className="st-field">
            <label className="st-label" htmlFor="st-new-token-name">
              {t('f.access.tokens.name')}
            </label>
            <input id="st-new-token-name" value={name} maxLength={64} data-testid="new-token-name" onChange={(e) => setName(e.target.value)} />
            <p className="st-help">{t('h.access.tokens.name')}</p>
          </div>
          <div className="st-field">
            <label className="st-label" htmlFor="st-new-token-role">
              {t('f.access.tokens.role')}
            </label>
            <select id="st-new-token-role" value={role} data-testid="new-token-role" onChange={(e) => setRole(e.target.value)}>
              {roles.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
            <p className="st-help">{t('h.access.tokens.role')}</p>
          </div>
        </div>
        {nameTaken ? <p className="error">{t('st.tokenNameTaken')}</p> : null}
        {createError ? (
          <p className="error" role="alert">
            {createError}
          </p>
        ) : null}
        <button
          type="button"
          className="primary"
          data-testid="create-token"
          disabled={readOnly || creating || name.trim() === '' || nameTaken}
          onClick={() => {
            onCreate(name.trim(), role);
            setName('');
            setCopied(false);
          }}
        >
          {creating ? t('st.creating') : t('st.createToken')}
        </button>
      </div>
    </div>
  );
}

/** Language and theme belong to this screen (this browser, this window), not to the plant's configuration. */
export function DisplaySection() {
  const { lang, setLang, t } = useI18n();
  const [theme, setTheme] = useTheme();
  return (
    <div className="st-section" data-testid="section-display">
      <h2>{t('st.section.display')}</h2>
      <p className="note st-callout">{t('st.displayHelp')}</p>
      <div className="st-grid">
        <div className="st-field">
          <label className="st-label" htmlFor="st-lang">
            {t('lang.label')}
          </label>
          <select id="st-lang" value={lang} data-testid="settings-language" onChange={(e) => setLang(e.target.value as Language)}>
            {LANGUAGES.map((l) => (
              <option key={l} value={l} lang={l}>
                {l === 'en' ? 'English' : '简体中文'}
              </option>
            ))}
          </select>
          <p className="st-help">{t('st.languageHelp')}</p>
        </div>
        <div className="st-field">
          <label className="st-label" htmlFor="st-theme">
            {t('st.theme')}
          </label>
          <select id="st-theme" value={theme} data-testid="settings-theme" onChange={(e) => setTheme(e.target.value as Theme)}>
            {THEMES.map((x) => (
              <option key={x} value={x}>
                {t(`st.theme.${x}`)}
              </option>
            ))}
          </select>
          <p className="st-help">{t('st.themeHelp')}</p>
        </div>
      </div>
    </div>
  );
}
