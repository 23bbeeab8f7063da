// Loads a request now and every `intervalMs`, dropping answers that arrive after the inputs changed.
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Polled<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload(): void;
}

/** `key` names the inputs: when it changes, the old data is discarded rather than shown under new inputs. */
export function usePolling<T>(load: () => Promise<T>, key: string, intervalMs: number | null): Polled<T> {
  const [state, setState] = useState<{ key: string; data: T | null; error: string | null; loading: boolean }>({ key, data: null, error: null, loading: true });
  const loadRef = useRef(load);
  loadRef.current = load;
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setState((s) => (s.key === key ? { ...s, loading: true } : { key, data: null, error: null, loading: true }));
    // Polling waits for each answer before scheduling the next, so a slow server is never stacked up.
    const run = () => {
      loadRef.current().then(
        (data) => {
          if (cancelled) return;
          setState({ key, data, error: null, loading: false });
          schedule();
        },
        (err: unknown) => {
          if (cancelled) return;
          setState((s) => ({ key, data: s.key === key ? s.data : null, error: err instanceof Error ? err.message : String(err), loading: false }));
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

  const current = state.key === key ? state : { data: null, error: null, loading: true };
  return { data: current.data, error: current.error, loading: current.loading, reload };
}
