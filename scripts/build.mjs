// Bundles the CLI into one ESM file: a single module graph starts faster than hundreds of files,
// which matters for the "process start to first statement" budget.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
await build({
  entryPoints: {
    mdl: 'runner/cli/main.ts',
    lib: 'runner/index.ts',
    'demo-generate': 'demo/generator/main.ts',
  },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  // Lazily imported commands/engines become their own chunks, so `mdl run` on DuckDB never loads
  // the ingest (knex) or Spark (hive-driver) drivers at startup (~400 ms on a loaded machine).
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  target: 'node20',
  sourcemap: true,
  // @duckdb/node-api is plain JS and is bundled (only its native binding stays external): loading
  // its ~100 CommonJS files through Node's ESM loader cost ~100 ms of the start-up budget.
  external: [
    ...Object.keys(pkg.dependencies ?? {}).filter((d) => d !== '@duckdb/node-api'),
    '@duckdb/node-bindings',
  ],
  banner: {
    js: "import { createRequire as __mdlCreateRequire } from 'node:module'; const require = __mdlCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
