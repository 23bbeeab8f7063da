// The window's security rules (DESIGN "The Electron window"; RELIABILITY row 30), as pure functions.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAppProtocolHandler } from '../../main/desktop/protocol.ts';
import {
  APP_ENTRY_URL,
  CSP,
  denyPermissionCheck,
  denyPermissionRequest,
  denyWindowOpen,
  isAllowedNavigation,
  isAllowedRequest,
  isTrustedSender,
  resolveAppFile,
  windowOptions,
} from '../../main/desktop/security.ts';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name, values]),
  );
}

describe('windowOptions', () => {
  const prefs = windowOptions('/app/out/preload/preload.cjs');

  it('isolates and sandboxes the renderer, with no Node in it', () => {
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      plugins: false,
      spellcheck: false,
    });
  });

  it('turns on no Blink feature, turns off auxclick, and no DevTools unless asked', () => {
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(prefs.disableBlinkFeatures?.split(',')).toContain('Auxclick');
    expect(prefs).not.toHaveProperty('additionalArguments');
    expect(prefs.devTools).toBe(false);
    expect(windowOptions('/p', { devTools: true }).devTools).toBe(true);
  });
});

describe('CSP', () => {
  const d = directives(CSP);

  it('allows only our own origin for scripts, styles and connections', () => {
    expect(d.get('default-src')).toEqual(["'self'"]);
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(d.get('style-src')).toEqual(["'self'"]);
    expect(d.get('connect-src')).toEqual(["'self'"]);
  });

  it('refuses plugins, base rewriting, framing and forms', () => {
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(d.get('frame-src')).toEqual(["'none'"]);
    expect(d.get('form-action')).toEqual(["'none'"]);
  });

  it('has no inline script, eval, wildcard or remote source anywhere', () => {
    for (const bad of ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", '*', 'http:', 'https:', 'blob:']) {
      for (const [name, values] of d) expect(values, `${name} allows ${bad}`).not.toContain(bad);
    }
  });

  it('allows data: URLs for images only (the page’s empty favicon)', () => {
    expect(d.get('img-src')).toEqual(["'self'", 'data:']);
    for (const [name, values] of d) if (name !== 'img-src') expect(values, name).not.toContain('data:');
  });
});

describe('isAllowedNavigation', () => {
  it.each([APP_ENTRY_URL, 'app://taktboard/', 'app://taktboard/index.html#/history', 'app://taktboard/index.html?x=1'])('allows our own page %s', (url) => {
    expect(isAllowedNavigation(url)).toBe(true);
  });

  it.each([
    'https://evil.example/',
    'http://127.0.0.1:8080/',
    'file:///etc/passwd',
    'app://evil/index.html',
    'app://taktboard.evil.example/',
    'app://taktboard@evil/',
    'app://taktboard:8080/',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'devtools://devtools/bundled/inspector.html',
    'not a url',
    '',
  ])('refuses %s', (url) => {
    expect(isAllowedNavigation(url)).toBe(false);
  });
});

describe('isAllowedRequest', () => {
  it('lets our files and DevTools through, nothing else', () => {
    expect(isAllowedRequest('app://taktboard/assets/index.js')).toBe(true);
    expect(isAllowedRequest('devtools://devtools/bundled/inspector.html')).toBe(true);
    expect(isAllowedRequest('https://cdn.example/recharts.js')).toBe(false);
    expect(isAllowedRequest('ws://127.0.0.1:1883/')).toBe(false);
    expect(isAllowedRequest('file:///etc/passwd')).toBe(false);
  });
});

describe('isTrustedSender', () => {
  const top = { url: APP_ENTRY_URL, origin: 'app://taktboard', parent: null, detached: false };

  it('trusts the top frame of our page', () => {
    expect(isTrustedSender(top)).toBe(true);
  });

  it('refuses a subframe, even of our origin', () => {
    expect(isTrustedSender({ ...top, parent: top })).toBe(false);
  });

  it('refuses another origin, a mismatching origin, a gone or a detached frame', () => {
    expect(isTrustedSender({ ...top, url: 'https://evil.example/', origin: 'https://evil.example' })).toBe(false);
    expect(isTrustedSender({ ...top, origin: 'null' })).toBe(false);
    expect(isTrustedSender({ ...top, url: 'file:///tmp/x.html', origin: 'file://' })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
    expect(isTrustedSender({ ...top, detached: true })).toBe(false);
  });
});

describe('permission and window.open handlers', () => {
  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'hid', 'fullscreen'])('refuses the %s permission', (permission) => {
    let granted: boolean | undefined;
    denyPermissionRequest({}, permission, (g) => {
      granted = g;
    });
    expect(granted).toBe(false);
    expect(denyPermissionCheck()).toBe(false);
  });

  it('denies window.open', () => {
    expect(denyWindowOpen()).toEqual({ action: 'deny' });
  });
});

describe('resolveAppFile', () => {
  const root = path.resolve('/srv/renderer');

  it('maps our URLs into the renderer folder', () => {
    expect(resolveAppFile(root, 'app://taktboard/index.html')).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://taktboard/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://taktboard/assets/index-abc.js?v=1#x')).toBe(path.join(root, 'assets', 'index-abc.js'));
    expect(resolveAppFile(root, 'app://taktboard/assets/%E4%B8%AD.svg')).toBe(path.join(root, 'assets', '中.svg'));
  });

  it.each([
    'app://taktboard/..%2f..%2fetc%2fpasswd',
    'app://taktboard/assets/..%2F..%2F..%2Fetc%2Fpasswd',
    'app://taktboard/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    'app://taktboard/..%5c..%5cwindows%5cwin.ini',
    'app://taktboard/index.html%00.png',
    'app://taktboard/%E0%A4%A',
    'app://evil/index.html',
    'file:///etc/passwd',
  ])('refuses %s', (url) => {
    expect(resolveAppFile(root, url)).toBeNull();
  });

  it('keeps dot segments the URL parser already resolved inside the folder', () => {
    const file = resolveAppFile(root, 'app://taktboard/../../etc/passwd');
    expect(file).toBe(path.join(root, 'etc', 'passwd'));
  });
});

describe('app:// protocol handler', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'taktboard-renderer-'));
  mkdirSync(path.join(root, 'assets'));
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Taktboard</title>');
  writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  const handle = createAppProtocolHandler(root);
  const req = (url: string, extra: { method?: string; initiatorOrigin?: string } = {}) =>
    ({ url, method: extra.method ?? 'GET', initiatorOrigin: extra.initiatorOrigin }) as unknown as Request;

  it('serves the renderer with the CSP on every response', async () => {
    const page = await handle(req(APP_ENTRY_URL));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CSP);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>Taktboard</title>');

    const script = await handle(req('app://taktboard/assets/app.js', { initiatorOrigin: 'app://taktboard' }));
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(script.headers.get('content-security-policy')).toBe(CSP);
  });

  it('answers a traversal with 404 and no file content', async () => {
    for (const url of ['app://taktboard/..%2f..%2f..%2f..%2fetc%2fpasswd', 'app://taktboard/../../../../etc/passwd', 'app://taktboard/assets']) {
      const res = await handle(req(url));
      expect(res.status, url).toBe(404);
      expect(res.headers.get('content-security-policy')).toBe(CSP);
      expect(await res.text()).not.toContain('root:');
    }
  });

  it('refuses requests made by another origin, and methods other than GET/HEAD', async () => {
    expect((await handle(req(APP_ENTRY_URL, { initiatorOrigin: 'https://evil.example' }))).status).toBe(403);
    expect((await handle(req(APP_ENTRY_URL, { method: 'POST' }))).status).toBe(405);
    const head = await handle(req(APP_ENTRY_URL, { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});
