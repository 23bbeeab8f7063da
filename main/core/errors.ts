import { english, type Words } from '../../shared/words.ts';

/**
 * A request that failed because of what the caller asked (unknown line, unknown shift): HTTP 400, an IPC error.
 * Made from words, its message is their English; one made from a plain sentence has no words (shown as is).
 */
export class RequestError extends Error {
  override name = 'RequestError';
  readonly words: Words | null;
  constructor(what: Words | string) {
    super(typeof what === 'string' ? what : english(what));
    this.words = typeof what === 'string' ? null : what;
  }
}
