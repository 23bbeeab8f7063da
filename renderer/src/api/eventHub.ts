// Fans pushed events out to the screens and remembers the latest of each: `connection` is only
// pushed when it changes, so a screen opened later must still get the current state at once.
import type { EventName, Events } from '../../../shared/api.ts';

type AnyListener = (payload: unknown) => void;

export interface EventHub {
  emit<E extends EventName>(event: E, payload: Events[E]): void;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
  latest<E extends EventName>(event: E): Events[E] | null;
}

export function createEventHub(): EventHub {
  const listeners: Record<EventName, Set<AnyListener>> = { live: new Set(), connection: new Set(), andon: new Set() };
  const latest: { [E in EventName]?: Events[E] } = {};
  return {
    emit(event, payload) {
      latest[event] = payload;
      for (const listener of [...listeners[event]]) listener(payload);
    },
    on(event, listener) {
      const l = listener as AnyListener;
      listeners[event].add(l);
      const last = latest[event];
      if (last !== undefined) l(last);
      return () => {
        listeners[event].delete(l);
      };
    },
    latest(event) {
      return (latest[event] ?? null) as never;
    },
  };
}
