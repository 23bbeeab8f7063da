// What the native file dialogs of the desktop app ask for, by what the file is: titles, filters and options.
// Types only from Electron, so the choices are tested without it; shell.ts hands them to `dialog`.
import type { OpenDialogOptions, SaveDialogOptions } from 'electron';
import type { TlsFilePurpose } from '../../shared/api.ts';

export type SaveKind = 'csv' | 'config';
export type OpenKind = TlsFilePurpose | 'config';

const ALL_FILES = { name: 'All files', extensions: ['*'] };

export function saveDialogOptions(kind: SaveKind, defaultPath: string): SaveDialogOptions {
  return kind === 'csv'
    ? { title: 'Save CSV', defaultPath, filters: [{ name: 'CSV', extensions: ['csv'] }] }
    : { title: 'Export configuration', defaultPath, filters: [{ name: 'Taktboard configuration', extensions: ['json'] }] };
}

const OPEN: Record<OpenKind, { title: string; filters: { name: string; extensions: string[] }[] }> = {
  ca: { title: 'Choose the broker’s CA certificate', filters: [{ name: 'Certificates (PEM)', extensions: ['pem', 'crt', 'cer'] }, ALL_FILES] },
  cert: { title: 'Choose the client certificate', filters: [{ name: 'Certificates (PEM)', extensions: ['pem', 'crt', 'cer'] }, ALL_FILES] },
  key: { title: 'Choose the client key', filters: [{ name: 'Keys (PEM)', extensions: ['pem', 'key'] }, ALL_FILES] },
  config: { title: 'Import configuration', filters: [{ name: 'Taktboard configuration', extensions: ['json'] }, ALL_FILES] },
};

/** One existing file; `defaultPath` (a folder or a file) where the dialog opens, when there is one. */
export function openDialogOptions(kind: OpenKind, defaultPath: string | undefined): OpenDialogOptions {
  const { title, filters } = OPEN[kind];
  return { title, filters, properties: ['openFile'], ...(defaultPath ? { defaultPath } : {}) };
}
