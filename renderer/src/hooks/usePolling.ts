// Loads a request now and every `intervalMs`, dropping answers that arrive after the inputs changed.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Words } from '../../../shared/words.ts';
import { wordsOfError } from '../api/webTransport.ts';

export interface Polled<T> {
  data: T | null;
  /** The failure in English; `errorWords` is the same for the screens to translate (null when it has none). */
  error: string | null;
  errorWords: Words | null;
  loading: boolean;
  reload(): void;
}

type State<T> = { key: string; data: T | null; error: string | null; errorWords: Words | null; loading: boolean };

/** `key` names the inputs: when it changes, the old data is discarded rather than shown under new inputs. */
export function usePolling<T>(load: () => Promise<T>, key: string, intervalMs: number | null): Polled<T> {
  const [state, setState] = useState<State<T>>({ key, data: null, error: null, errorWords: null, loading: true });
  const loadRef = useRef(load);
  loadRef.current = load;
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setState((s) => (s.key === key ? { ...s, loading: true } : { key, data: null, error: null, errorWords: null, loading: true }));
    // Polling waits for each answer before scheduling the next, so a slow server is never stacked up.
    const run = () => {
      loadRef.current().then(
        (data) => {
          if (cancelled) return;
          setState({ key, data, error: null, errorWords: null, loading: false });
          schedule();
        },
        (err: unknown) => {
          if (cancelled) return;
          const error = err instanceof Error ? err.message : String(err);
          setState((s) => ({ key, data: s.key === key ? s.data : null, error, errorWords: wordsOfError(err), loading: false }));
          schedule();
        },
      );
    };
    const schedule = () => {
      if (intervalMs !== null) timer = setTimeout(run, intervalMs);
    };
    run();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [key, intervalMs, tick]);

  const current = state.key === key ? state : { data: null, error: null, errorWords: null, loading: true };
  return { data: current.data, error: current.error, errorWords: current.errorWords, loading: current.loading, reload };
}
