// Writes from the browser (CONTRACT §6.2): a write refused for want of a token (401) opens a small login
// box; the token is checked, kept for this browser session only, and the write is tried again with it. A
// token of too low a role (403) is said in words, and another token can be given. The desktop window acts
// as supervisor and never sees this box.
import { useCallback, useEffect, useId, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { WRITE_ROLES, type RequestName, type Role } from '../../../shared/api.ts';
import type { SignInResult } from '../api/session.ts';
import { MAX_TOKEN_LENGTH } from '../api/session.ts';
import { RequestError } from '../api/webTransport.ts';
import { useClient } from '../clientContext.tsx';
import { useI18n } from '../i18nContext.tsx';

type Prompt = { reason: 'required' | 'role'; role: Role; detail: string; answer(signedIn: boolean): void };

/** A refusal that a token could lift: 401 (none, or not recognised) or 403 (its role too low). */
export function refusalOf(err: unknown): 'required' | 'role' | null {
  if (!(err instanceof RequestError)) return null;
  return err.status === 401 ? 'required' : err.status === 403 ? 'role' : null;
}

export interface WriteAccess {
  /** Runs a write; on 401/403 asks for a token and tries again, until it goes through or the box is cancelled (then the refusal is thrown). */
  run<T>(request: RequestName, call: () => Promise<T>): Promise<T>;
  /** The login box while it is open: render it somewhere in the component. */
  dialog: ReactNode;
}

/** Each writer holds its own box: no provider to mount, and the andon acknowledgement can use the same hook. */
export function useWriteAccess(): WriteAccess {
  const client = useClient();
  const [prompt, setPrompt] = useState<Prompt | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const run = useCallback(
    async <T,>(request: RequestName, call: () => Promise<T>): Promise<T> => {
      const role = WRITE_ROLES[request] ?? 'operator';
      for (let attempt = 0; ; attempt++) {
        try {
          return await call();
        } catch (err) {
          const refusal = refusalOf(err);
          if (!refusal || !client.auth || !mounted.current || attempt >= 5) throw err;
          const signedIn = await new Promise<boolean>((answer) => setPrompt({ reason: refusal, role, detail: err instanceof Error ? err.message : '', answer }));
          if (mounted.current) setPrompt(null);
          if (!signedIn) throw err;
        }
      }
    },
    [client],
  );
  const dialog = prompt ? <LoginBox prompt={prompt} /> : null;
  return { run, dialog };
}

/** A write's failure in words: a missing token or too low a role said as such, else the server's words. */
export function useWriteErrorText(): (err: unknown, request: RequestName) => string {
  const { t, tWords } = useI18n();
  return (err, request) => {
    const role = t(`role.${WRITE_ROLES[request] ?? 'operator'}`);
    const refusal = refusalOf(err);
    if (refusal === 'required') return t('auth.needsToken', { role });
    if (refusal === 'role') return t('auth.tooLow', { role });
    const words = err instanceof RequestError ? err.words : null;
    return tWords(words, err instanceof Error ? err.message : String(err));
  };
}

function LoginBox({ prompt }: { prompt: Prompt }) {
  const { t } = useI18n();
  const client = useClient();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<SignInResult | null>(null);
  const titleId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => inputRef.current?.focus(), []);
  const cancel = () => prompt.answer(false);
  const submit = async () => {
    if (!client.auth || busy) return;
    setBusy(true);
    const result = await client.auth.signIn(token);
    setBusy(false);
    if (result.ok) prompt.answer(true);
    else setProblem(result);
  };
  const problemText = (p: SignInResult | null) =>
    !p || p.ok ? null : p.reason === 'empty' ? t('auth.empty') : p.reason === 'too_long' ? t('auth.tooLong') : p.reason === 'unreachable' ? t('auth.unreachable') : t('auth.notRecognised');
  const role = t(`role.${prompt.role}`);
  return (
    <div className="modal-backdrop" data-testid="login-backdrop">
      <form
        className="login-box panel"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid="login-box"
        data-reason={prompt.reason}
        onKeyDown={(e) => {
          if (e.key === 'Escape') cancel();
        }}
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h2 id={titleId}>{t('auth.title')}</h2>
        {prompt.reason === 'role' ? (
          <p className="warning" role="alert" data-testid="login-role-too-low">
            {t('auth.roleTooLow', { role })}
          </p>
        ) : (
          <p>{t('auth.required')}</p>
        )}
        {prompt.detail ? <p className="note untrusted">{t('auth.serverSaid', { message: prompt.detail })}</p> : null}
        <label className="block">
          {t('auth.token')}
          <input
            ref={inputRef}
            type="password"
            autoComplete="off"
            spellCheck={false}
            maxLength={MAX_TOKEN_LENGTH + 1}
            value={token}
            data-testid="login-token"
            onChange={(e) => {
              setToken(e.target.value);
              setProblem(null);
            }}
          />
        </label>
        <p className="note">{t('auth.sessionOnly')}</p>
        {problemText(problem) ? (
          <p className="error" role="alert" data-testid="login-problem">
            {problemText(problem)}
          </p>
        ) : null}
        <div className="button-row">
          <button type="submit" className="primary" disabled={busy} data-testid="login-submit">
            {busy ? t('auth.signingIn') : t('auth.signIn')}
          </button>
          <button type="button" onClick={cancel} data-testid="login-cancel">
            {t('auth.cancel')}
          </button>
        </div>
      </form>
    </div>
  );
}

/** "Signed in for this session · Sign out" in the browser once a token is kept; nothing otherwise (or on the desktop). */
export function SessionStatus() {
  const { t } = useI18n();
  const client = useClient();
  const auth = client.auth;
  const subscribe = useCallback((l: () => void) => (auth ? auth.onChange(l) : () => {}), [auth]);
  const signedIn = useSyncExternalStore(subscribe, () => auth?.signedIn() ?? false);
  if (!auth || !signedIn) return null;
  return (
    <span className="session-status" data-testid="session-status">
      <span aria-hidden="true">✓ </span>
      {t('auth.signedIn')}
      <button type="button" className="link-button" data-testid="sign-out" onClick={() => auth.signOut()}>
        {t('auth.signOut')}
      </button>
    </span>
  );
}
