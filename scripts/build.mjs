// Bundles the CLI into one ESM file: a single module graph starts faster than hundreds of files,
// which matters for the "process start to first statement" budget.
import { build } from 'esbuild';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const result = await build({
  metafile: true,
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

// Hashed chunks of earlier builds are removed after the new ones exist, so a CLI already running
// from dist/ (a concurrent test) never loses its files mid-flight.
const fresh = new Set(Object.keys(result.metafile.outputs).map((f) => path.resolve(f)));
const chunkDir = path.resolve('dist/chunks');
for (const f of readdirSync(chunkDir)) {
  const full = path.join(chunkDir, f);
  if (!fresh.has(full)) rmSync(full, { force: true });
}
