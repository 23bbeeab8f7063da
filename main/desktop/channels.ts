// Names and message shapes shared by the preload and the IPC registration. Types and string constants
// only: the sandboxed preload bundles this file, and it must stay free of Node and of zod.
import type { EventName } from '../../shared/api.ts';
import type { Words } from '../../shared/words.ts';

export const CHANNEL_PREFIX = 'taktboard:';
export const EVENT_CHANNEL = 'taktboard:event';

export function requestChannel(name: string): string {
  return CHANNEL_PREFIX + name;
}

/**
 * What every invoke resolves to. Errors travel as data rather than as a rejected invoke because
 * Electron wraps a rejection as "Error invoking remote method 'taktboard:x': Error: …"; the preload
 * turns this back into an Error carrying only our message.
 */
export type IpcReply<T = unknown> = { ok: true; value: T } | { ok: false; error: string; words?: Words };

/**
 * What a refused call rejects with in the page: plain data, since an Error crossing the context bridge keeps
 * only its message. The renderer's client turns it into its RequestError.
 */
export interface Refusal {
  message: string;
  words: Words | null;
}

export interface EventMessage<E extends EventName = EventName> {
  event: E;
  payload: unknown;
}
