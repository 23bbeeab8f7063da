// The screen's theme: dark (the default, for halls and wall displays) or light (bright offices), remembered
// in this browser or window only, and mirrored on <html data-theme> where styles.css picks it up. The wall
// display keeps its own (#/wall?theme=light).
import { useCallback, useEffect, useSyncExternalStore } from 'react';

export const THEMES = ['dark', 'light'] as const;
export type Theme = (typeof THEMES)[number];
export const THEME_STORAGE_KEY = 'taktboard.theme';

export function isTheme(v: unknown): v is Theme {
  return v === 'dark' || v === 'light';
}

function read(): Theme {
  try {
    const v = window.localStorage.getItem(THEME_STORAGE_KEY);
    return isTheme(v) ? v : 'dark';
  } catch {
    return 'dark';
  }
}

let current: Theme | null = null;
const listeners = new Set<() => void>();

function get(): Theme {
  if (current === null) current = read();
  return current;
}

function set(theme: Theme): void {
  current = theme;
  try {
    window.localStorage.setItem(THEME_STORAGE_KEY, theme);
  } catch {
    // Storage refused (a kiosk profile): the theme holds until the page is closed.
  }
  for (const l of [...listeners]) l();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => {
    listeners.delete(l);
  };
}

/** The theme and its setter; any component using it keeps <html data-theme> in step. */
export function useTheme(): [Theme, (t: Theme) => void] {
  const theme = useSyncExternalStore(subscribe, get, () => 'dark' as Theme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return [theme, useCallback((t: Theme) => set(t), [])];
}
