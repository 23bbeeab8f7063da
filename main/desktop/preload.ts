// The one preload of the window (sandboxed, bundled into a single CommonJS file). It exposes named
// functions only: the page never gets ipcRenderer, an IPC event object or a channel of its choosing.
// Only types come from shared/api.ts so zod and luxon stay out of the preload.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { DesktopApi, DesktopRequestArgs, DesktopRequestName, DesktopRequestResult, EventName, RequestArgs, RequestName, RequestResult } from '../../shared/api.ts';
import { EVENT_CHANNEL, requestChannel, type EventMessage, type IpcReply, type Refusal } from './channels.ts';

type AnyName = RequestName | DesktopRequestName;
type ArgsOf<N extends AnyName> = N extends RequestName ? RequestArgs<N> : N extends DesktopRequestName ? DesktopRequestArgs<N> : never;
type ResultOf<N extends AnyName> = N extends RequestName ? RequestResult<N> : N extends DesktopRequestName ? DesktopRequestResult<N> : never;

function request<N extends AnyName>(name: N): (args: ArgsOf<N>) => Promise<ResultOf<N>> {
  const channel = requestChannel(name);
  return async (args) => {
    const reply = (await ipcRenderer.invoke(channel, args)) as IpcReply<ResultOf<N>> | undefined;
    if (reply?.ok) return reply.value;
    // Plain data, not an Error: across the context bridge an Error keeps its message only, and the words
    // (the message's key and parameters, for the page to translate) would be lost.
    const refusal: Refusal = reply
      ? { message: reply.error, words: reply.words ?? null }
      : { message: `${name}: no reply from the application`, words: { key: 'refusal.no_reply', params: { name } } };
    throw refusal;
  };
}

type Listener = (payload: unknown) => void;
// Keyed by every event name, so a new event in the contract fails the type-check here until added.
const listeners: Record<EventName, Set<Listener>> = { live: new Set(), connection: new Set(), andon: new Set() };

// One IPC listener for all subscriptions; the page's listeners get the payload, never the IPC event.
ipcRenderer.on(EVENT_CHANNEL, (_event: IpcRendererEvent, message: EventMessage) => {
  const set = message && Object.prototype.hasOwnProperty.call(listeners, message.event) ? listeners[message.event] : undefined;
  if (!set) return;
  for (const listener of [...set]) {
    try {
      listener(message.payload);
    } catch (err) {
      // One broken screen must not stop the others from getting the snapshot.
      console.error(`taktboard: a "${message.event}" listener failed`, err);
    }
  }
});

const api = {
  live: request('live'),
  trend: request('trend'),
  shiftCalendar: request('shiftCalendar'),
  history: request('history'),
  dailyCsv: request('dailyCsv'),
  diagnostics: request('diagnostics'),
  configHistory: request('configHistory'),
  stopsCsv: request('stopsCsv'),
  codeStop: request('codeStop'),
  shiftNote: request('shiftNote'),
  applyConfig: request('applyConfig'),
  ackAlert: request('ackAlert'),
  getConfig: request('getConfig'),
  checkConfig: request('checkConfig'),
  testBroker: request('testBroker'),
  createToken: request('createToken'),
  adoptionHints: request('adoptionHints'),
  whoAmI: request('whoAmI'),
  saveDailyCsv: request('saveDailyCsv'),
  saveStopsCsv: request('saveStopsCsv'),
  getSettings: request('getSettings'),
  saveSettings: request('saveSettings'),
  pickFile: request('pickFile'),
  exportConfigFile: request('exportConfigFile'),
  importConfigFile: request('importConfigFile'),
  on(event, listener) {
    if (!Object.prototype.hasOwnProperty.call(listeners, event) || typeof listener !== 'function') {
      throw new TypeError(`taktboard.on: unknown event "${String(event)}" or listener not a function`);
    }
    const set = listeners[event];
    const l = listener as Listener;
    set.add(l);
    return () => {
      set.delete(l);
    };
  },
} satisfies DesktopApi;

contextBridge.exposeInMainWorld('taktboard', api);
