// `npm start`: the desktop window when an Electron binary is present; otherwise one line saying so,
// then the same app in the browser shell with the embedded demo, printing its URL.
import { existsSync, readFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = path.join(root, 'node_modules', 'electron');

function electronBinary() {
  try {
    const rel = readFileSync(path.join(electronDir, 'path.txt'), 'utf8').trim();
    const bin = path.join(electronDir, 'dist', rel);
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

const run = (cmd, args) => spawn(cmd, args, { cwd: root, stdio: 'inherit' }).on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
const bin = electronBinary();
if (bin && !process.env.TAKTBOARD_NO_ELECTRON) {
  const built = spawnSync(process.execPath, [path.join(root, 'node_modules', '.bin', 'electron-vite'), 'build'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
  run(bin, [root]);
} else {
  console.log('No Electron binary here (it cannot be downloaded on this machine): starting `taktboard serve` with the demo; open the URL below in a browser.');
  run(process.execPath, [path.join(root, 'bin', 'taktboard.mjs'), 'serve', ...process.argv.slice(2)]);
}
