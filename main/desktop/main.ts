// Entry of the desktop app (electron-vite bundles it to out/main/index.js, package.json's "main").
import path from 'node:path';
import { app } from 'electron';
import { startRuntime } from '../core/runtime.ts';
import { runShell } from './shell.ts';

void runShell({
  startRuntime,
  preloadPath: path.join(import.meta.dirname, '../preload/preload.cjs'),
  rendererRoot: path.join(app.getAppPath(), 'dist', 'renderer'),
});
