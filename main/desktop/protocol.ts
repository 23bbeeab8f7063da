// The app:// handler: serves the built renderer from disk, with the CSP on every response, and only
// to our own pages. Written against the web Request/Response so tests run it without Electron.
import { readFile } from 'node:fs/promises';
import { logger } from '../core/log.ts';
import { APP_ORIGIN, CSP, resolveAppFile, responseHeaders } from './security.ts';

const log = logger('desktop-protocol');

function refusal(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' },
  });
}

export function createAppProtocolHandler(root: string): (request: Request) => Promise<Response> {
  return async (request) => {
    // Set by Electron for requests a page made (absent for the window's own load): another origin
    // (a page that got in despite the guards, an extension) may not read our files.
    const initiator = (request as Request & { initiatorOrigin?: string }).initiatorOrigin;
    if (initiator !== undefined && initiator !== APP_ORIGIN) {
      log.warn('refused a request from another origin', { url: request.url, initiator });
      return refusal(403, 'forbidden');
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return refusal(405, 'method not allowed');
    const file = resolveAppFile(root, request.url);
    if (!file) {
      log.warn('refused a path outside the renderer', { url: request.url });
      return refusal(404, 'not found');
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return refusal(404, 'not found');
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers: responseHeaders(file) });
  };
}
