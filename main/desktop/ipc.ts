// Validated IPC: one `ipcMain.handle('taktboard:<name>')` per request of the contract. Each call is
// checked for its sender (our window's top frame, our origin) and its arguments (the contract's
// schema) before it reaches the core; what goes back is a value or a message, never a stack.
import os from 'node:os';
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import { parseArgs, parseDesktopArgs } from '../../shared/api-schemas.ts';
import {
  DESKTOP_REQUEST_NAMES,
  EVENT_NAMES,
  REQUEST_NAMES,
  type Caller,
  type DesktopRequestArgs,
  type DesktopRequestName,
  type DesktopRequestResult,
} from '../../shared/api.ts';
import type { Core } from '../core/core-types.ts';
import { english, type Words } from '../../shared/words.ts';
import { RequestError } from '../core/errors.ts';
import { logger } from '../core/log.ts';
import { EVENT_CHANNEL, requestChannel, type EventMessage, type IpcReply } from './channels.ts';
import { isTrustedSender, type FrameLike } from './security.ts';

const log = logger('desktop-ipc');

export type DesktopHandlers = {
  [N in DesktopRequestName]: (args: DesktopRequestArgs<N>) => Promise<DesktopRequestResult<N>>;
};

/** The person at the plant PC: the desktop window acts as supervisor (CONTRACT §6.2), named by the OS account. */
export function desktopCaller(): Caller {
  let user = 'user';
  try {
    user = os.userInfo().username || user;
  } catch {
    // no account name available (some containers): the role is what matters
  }
  return { who: `desktop:${user}`, role: 'supervisor' };
}

/** An error whose message is meant for the person at the screen (the rest stay in the log); words when made from them. */
export class DesktopError extends Error {
  override name = 'DesktopError';
  readonly words: Words | null;
  constructor(what: Words | string) {
    super(typeof what === 'string' ? what : english(what));
    this.words = typeof what === 'string' ? null : what;
  }
}

/** A refused call: the English (`error`) and its words. */
const refuse = (words: Words): IpcReply => ({ ok: false, error: english(words), words });

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<IpcReply>;

export interface IpcMainLike {
  handle(channel: string, listener: Handler): void;
  removeHandler(channel: string): void;
}

export interface IpcOptions {
  ipcMain: IpcMainLike;
  /** The core in use; waits for a restart in progress rather than failing during it. */
  core(): Promise<Core>;
  desktop: DesktopHandlers;
  /** Whether this webContents is our window's: a frame of our origin in any other is still refused. */
  isOurWindow(contents: WebContents): boolean;
}

/** Registers every handler; returns the function that removes them again. */
export function registerIpc(opts: IpcOptions): () => void {
  const channels: string[] = [];
  const add = (name: string, parse: (raw: unknown) => { ok: true; args: unknown } | { ok: false; error: string; words: Words }, run: (args: unknown) => Promise<unknown>) => {
    const channel = requestChannel(name);
    channels.push(channel);
    opts.ipcMain.handle(channel, async (event, ...raw) => {
      if (!opts.isOurWindow(event.sender) || !isTrustedSender(event.senderFrame as FrameLike | null)) {
        log.warn('refused a call from an untrusted sender', { channel, url: event.senderFrame?.url ?? null });
        return refuse({ key: 'refusal.untrusted_sender', params: { name } });
      }
      if (raw.length > 1) {
        log.warn('refused a call with extra arguments', { channel, count: raw.length });
        return refuse({ key: 'refusal.extra_arguments', params: { name, count: raw.length } });
      }
      const parsed = parse(raw[0]);
      if (!parsed.ok) {
        log.warn('refused a call with bad arguments', { channel, error: parsed.error });
        return refuse({ key: 'refusal.bad_arguments', params: { name, issues: parsed.words } });
      }
      try {
        return { ok: true, value: await run(parsed.args) };
      } catch (err) {
        return replyTo(name, err);
      }
    });
  };

  for (const name of REQUEST_NAMES) {
    add(
      name,
      (raw) => parseArgs(name, raw),
      async (args) => ((await opts.core()).handlers[name] as (a: unknown, c: Caller) => unknown)(args, desktopCaller()),
    );
  }
  for (const name of DESKTOP_REQUEST_NAMES) {
    add(
      name,
      (raw) => parseDesktopArgs(name, raw),
      (args) => (opts.desktop[name] as (a: unknown) => Promise<unknown>)(args),
    );
  }
  return () => {
    for (const channel of channels) opts.ipcMain.removeHandler(channel);
  };
}

/**
 * Messages of errors made for a user pass through; anything else may carry SQL or file paths the
 * renderer must not see, so it is logged in full and answered in general words.
 */
function replyTo(name: string, err: unknown): IpcReply {
  if (err instanceof RequestError || err instanceof DesktopError) {
    return err.words ? refuse({ key: 'refusal.request', params: { name, reason: err.words } }) : { ok: false, error: `${name}: ${err.message}` };
  }
  log.error('request failed', { request: name, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  return refuse({ key: 'refusal.failed', params: { name } });
}

/** Pushes the core's events to the window for as long as the core runs; returns the unsubscribe. */
export function forwardEvents(core: Core, send: (message: EventMessage) => void): () => void {
  const offs = EVENT_NAMES.map((event) => core.subscribe(event, (payload) => send({ event, payload })));
  return () => {
    for (const off of offs) off();
  };
}

export interface WindowLike {
  isDestroyed(): boolean;
  readonly webContents: { send(channel: string, message: unknown): void; readonly mainFrame: FrameLike };
}

/** Sends only to a live window still showing our own page (never to content that got in by mistake). */
export function sendEvent(win: WindowLike | null, message: EventMessage): void {
  if (!win || win.isDestroyed() || !isTrustedSender(win.webContents.mainFrame)) return;
  win.webContents.send(EVENT_CHANNEL, message);
}
