// Small HTTP pieces of the web shell: JSON answers, body reading with a limit, security headers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { english, type Words } from '../../shared/words.ts';

/** The renderer is built by vite with no inline scripts; recharts sets style attributes through the DOM. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

export function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

/**
 * CONTRACT §6: `{"error": "<English>"}`, which scripts read, and beside it `"words"` (shared/words.ts) for the
 * screens to translate. A plain sentence goes out without words (the screens show it as it is).
 */
export function sendError(res: ServerResponse, status: number, error: Words | string): void {
  sendJson(res, status, typeof error === 'string' ? { error } : { error: english(error), words: error });
}

export class BodyTooLarge extends Error {
  readonly words: Words;
  constructor(limit: number) {
    const words: Words = { key: 'refusal.body_too_large', params: { limit } };
    super(english(words));
    this.words = words;
  }
}

export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        // Keep reading (and dropping) the rest so the 413 answer reaches the client before the close.
        over = true;
        chunks.length = 0;
        reject(new BodyTooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
