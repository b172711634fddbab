// Bundles the CLI and the extension; `vscode` is provided by the editor at run time.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // jsonc-parser's UMD build hides its requires from bundlers; its ESM build does not.
  mainFields: ['module', 'main'],
};

await Promise.all([
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  build({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], minify: true }),
  // The review panel's browser code; its CSS imports become dist/webview/review.css.
  build({ ...common, platform: 'browser', format: 'iife', target: 'chrome120', entryPoints: { review: 'webview/main.ts' }, outdir: 'dist/webview', minify: true }),
  // Integration suites, loaded by mocha inside VS Code's extension host.
  build({ ...common, entryPoints: ['test/integration/suite/*.ts'], outdir: 'dist/test/integration', external: ['vscode', 'mocha'] }),
]);
