// Access tokens (CONTRACT §6.2): random, shown once, kept only as their SHA-256.
import { createHash, randomBytes } from 'node:crypto';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A new token and the hash that `access.tokens[].sha256` stores for it. */
export function newToken(): { token: string; sha256: string } {
  const token = randomBytes(24).toString('base64url');
  return { token, sha256: sha256Hex(token) };
}
