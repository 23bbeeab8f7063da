// Where a worker thread's module is: its TypeScript source next to this file when Taktboard runs from the
// checkout (Node strips the types), or the bundled .js of the same name in the desktop build (out/main/,
// where electron.vite.config.mts builds each worker as an entry of its own).
export function workerUrl(name: string): URL {
  const here = import.meta.url;
  return new URL(`./${name}${here.endsWith('.ts') ? '.ts' : '.js'}`, here);
}
