// Builds the desktop shell: the main process (ESM, like package.json) to out/main/index.js, and the
// one preload as a single CommonJS file to out/preload/preload.cjs, because a sandboxed preload can
// neither import ES modules nor require other files. There is no renderer section: the window loads
// the renderer `vite build` already makes for both shells (dist/renderer), served over app://.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';

const file = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  main: {
    build: {
      outDir: file('./out/main'),
      // better-sqlite3 (native), mqtt, aedes, zod, luxon: loaded from node_modules at run time, and
      // better-sqlite3's prebuilt binary is unpacked from the asar by electron-builder.
      externalizeDeps: true,
      sourcemap: true,
      rolldownOptions: {
        // The worker threads are entries of their own, at the paths main/core/worker-url.ts resolves them to
        // (relative to out/main/, where every chunk is kept so import.meta.url points there).
        input: {
          index: file('./main/desktop/main.ts'),
          'reads/read-worker': file('./main/core/reads/read-worker.ts'),
          'store/checkpoint-worker': file('./main/core/store/checkpoint-worker.ts'),
          'store/quick-check-worker': file('./main/core/store/quick-check-worker.ts'),
          'store/backup-worker': file('./main/core/store/backup-worker.ts'),
        },
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: file('./out/preload'),
      // Everything the preload imports is bundled in; it imports types only from shared/.
      externalizeDeps: false,
      sourcemap: false,
      rolldownOptions: {
        input: { preload: file('./main/desktop/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
});
