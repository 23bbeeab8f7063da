#!/usr/bin/env node
// Runs the TypeScript CLI directly on Node 22 (type stripping); `npx`/`npm` put the project's Node 22 first on PATH.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(`taktboard: needs Node 22 or newer, this is ${process.version}. Run it as \`npx taktboard\` in the checkout (the project ships Node 22 in node_modules/.bin).`);
  process.exit(2);
}
const { main } = await import('../main/cli.ts');
process.exitCode = await main(process.argv.slice(2));
