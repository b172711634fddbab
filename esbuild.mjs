// Bundles the CLI and the extension; `vscode` is provided by the editor at run time.
import { chmodSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
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

/** engineLoader.ts's `require('./extension-engine.js')` stays a require of that file, beside dist/extension.js. */
const engineApart = {
  name: 'engine-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/extension-engine\.js$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * The config's validator (schema/validate.generated.cjs, a CommonJS module that only
 * assigns its exports) has no side effects: so the first bundle, which imports the
 * config module for a constant or two (CONFIG_DIR), leaves it out.
 */
const validatorPure = {
  name: 'validator-pure',
  setup(b) {
    b.onResolve({ filter: /validate\.generated\.cjs$/ }, (args) => ({ path: path.resolve(args.resolveDir, args.path), sideEffects: false }));
  },
};

/**
 * diff2html's package entry resolves to its ES modules (lib-esm, by mainFields), and
 * its UI base is imported from lib/, its CommonJS copy: that would bundle diff2html
 * twice. Both from lib-esm.
 */
const diff2htmlOnce = {
  name: 'diff2html-once',
  setup(b) {
    b.onResolve({ filter: /^diff2html\/lib\// }, (args) => b.resolve(args.path.replace(/^diff2html\/lib\//, 'diff2html/lib-esm/'), { kind: args.kind, resolveDir: args.resolveDir }));
  },
};

/*
 * The CLI loads each command's code when the command runs (`import()` in main.ts), so
 * `aiai --help` starts about as fast as node itself. Splitting those into chunks needs
 * ES modules; `dist/cli.js`, the `bin`, stays a CommonJS file (package.json has no
 * "type") that imports the entry. The banner gives bundled CommonJS packages the
 * `require` an ES module lacks.
 */
const CLI_DIR = 'dist/cli';
const cli = build({
  ...common,
  format: 'esm',
  splitting: true,
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: CLI_DIR,
  outExtension: { '.js': '.mjs' },
  banner: { js: "import { createRequire as aiaiRequire } from 'node:module'; const require = aiaiRequire(import.meta.url);" },
  metafile: true,
}).then(({ metafile }) => {
  // Chunks are named by their content: drop those of earlier builds (after, so a CLI running meanwhile keeps working).
  const current = new Set(Object.keys(metafile.outputs).map((file) => path.basename(file)));
  for (const file of readdirSync(CLI_DIR)) if (!current.has(file)) rmSync(path.join(CLI_DIR, file));
  writeFileSync('dist/cli.js', "#!/usr/bin/env node\n// The aiai command; its code is in cli/ (see esbuild.mjs).\nimport('./cli/main.mjs');\n");
  chmodSync('dist/cli.js', 0o755);
  rmSync('dist/cli.js.map', { force: true });
});

await Promise.all([
  cli,
  // The extension, in two files (see src/extension/extension.ts): what VS Code loads as a window opens, and the engine, loaded at its first use.
  build({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], minify: true, plugins: [engineApart, validatorPure] }),
  build({ ...common, entryPoints: { 'extension-engine': 'src/extension/engine.ts' }, outdir: 'dist', external: ['vscode'], minify: true }),
  // The review panel's browser code; its CSS imports become dist/webview/review.css.
  build({ ...common, platform: 'browser', format: 'iife', target: 'chrome120', entryPoints: { review: 'webview/main.ts' }, outdir: 'dist/webview', minify: true, plugins: [diff2htmlOnce] }),
  // Integration suites, loaded by mocha inside VS Code's extension host.
  build({ ...common, entryPoints: ['test/integration/suite/*.ts'], outdir: 'dist/test/integration', external: ['vscode', 'mocha'] }),
]);
