// The window's security rules as pure functions, so each rule has a unit test that runs without Electron.
// Everything here is deny-by-default: the window only ever shows our own bundled renderer.
import path from 'node:path';
import type { WebPreferences } from 'electron';

/** Our own origin. A custom standard scheme instead of file:// so the page gets a real origin we can check. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'taktboard';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Served as a response header on every file of the renderer.
 * style-src has no 'unsafe-inline': React and recharts set styles through the CSSOM (element.style),
 * which CSP does not govern, and the built renderer ships its CSS as files, never <style> or style="".
 * No 'unsafe-eval' either: zod must run with `jitless` in the renderer.
 * Checked in Chromium against the built renderer (every screen, recharts included): the only thing it
 * refused was the page's empty `data:,` favicon, hence data: for images, which cannot run script.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface WindowSecurityOptions {
  /** Only for an unpackaged build: a shipped monitor on a shop floor has no use for DevTools. */
  devTools?: boolean;
}

export function windowOptions(preloadPath: string, opts: WindowSecurityOptions = {}): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    // A middle click on a link fires auxclick, which can open a window around the click handlers.
    disableBlinkFeatures: 'Auxclick',
    navigateOnDragDrop: false,
    plugins: false,
    spellcheck: false,
    safeDialogs: true,
    devTools: opts.devTools ?? false,
  };
}

/**
 * `scheme://host[:port]` of a URL, or null. Node's URL reports "null" as the origin of any scheme it
 * does not know (app:), so the origin is rebuilt from its parts instead of read from `URL.origin`.
 */
export function originOf(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (!u.host) return null;
  return `${u.protocol}//${u.host}`;
}

/** The window may only (re)load our own pages; links, redirects and `location =` elsewhere are refused. */
export function isAllowedNavigation(url: string): boolean {
  return originOf(url) === APP_ORIGIN;
}

/**
 * Requests the session lets through: our own files, and DevTools' own pages when DevTools are on.
 * The CSP already refuses other origins; this is the second wall for anything the CSP does not cover.
 */
export function isAllowedRequest(url: string): boolean {
  if (originOf(url) === APP_ORIGIN) return true;
  return url.startsWith('devtools://');
}

/** What isTrustedSender reads from an Electron WebFrameMain (a structural subset, so tests need no Electron). */
export interface FrameLike {
  readonly url: string;
  readonly origin?: string;
  readonly parent: unknown;
  readonly detached?: boolean;
}

/**
 * An IPC call is trusted only from the top frame of a page of our origin: never from a subframe, a
 * frame that navigated away, or a frame that is gone (`senderFrame` null after navigation).
 */
export function isTrustedSender(frame: FrameLike | null | undefined): boolean {
  if (!frame || frame.detached) return false;
  if (frame.parent !== null) return false;
  if (originOf(frame.url) !== APP_ORIGIN) return false;
  return frame.origin === undefined || frame.origin === APP_ORIGIN;
}

/** Every permission (camera, notifications, clipboard, HID, …) is refused: a monitor needs none. */
export function denyPermissionRequest(_webContents: unknown, _permission: string, callback: (granted: boolean) => void): void {
  callback(false);
}

export function denyPermissionCheck(): boolean {
  return false;
}

/** `window.open` and target=_blank never create a window (and never reach the OS browser either). */
export function denyWindowOpen(): { action: 'deny' } {
  return { action: 'deny' };
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps an app:// URL to a file inside `root`, or null when it would leave it. Percent-encoded dots and
 * slashes are decoded before the check; backslashes and NUL are refused outright because Windows treats
 * a decoded `%5C` as a separator.
 */
export function resolveAppFile(root: string, requestUrl: string): string | null {
  if (originOf(requestUrl) !== APP_ORIGIN) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(requestUrl).pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  if (pathname === '' || pathname.endsWith('/')) pathname += 'index.html';
  const base = path.resolve(root);
  const file = path.resolve(base, '.' + pathname);
  return file.startsWith(base + path.sep) ? file : null;
}

/** Headers on every response of the app protocol. */
export function responseHeaders(file: string): Record<string, string> {
  return {
    'content-type': contentTypeOf(file),
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  };
}
