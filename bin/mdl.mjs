#!/usr/bin/env -S node --v8-pool-size=1
// Thin launcher: the CLI is bundled into dist/ by `npm install` (prepare) or `npm run build`.
// --v8-pool-size=1: V8's GC helper threads otherwise compete for the cores with the compile's
// own file-writing threads and DuckDB; a cold 10,000-model compile measured 1.39 s with one
// helper vs 1.46 s with the default four (median of 6 on 2 cores). Flags after `-S node` apply
// when the file is run as a program (`npx mdl`, `./bin/mdl.mjs`), not under `node bin/mdl.mjs`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/mdl.js', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write(
    'mdl: the CLI is not built yet; run `npm install` (or `npm run build`) in the mdl repo first.\n',
  );
  process.exit(2);
}
const { main } = await import(bundle);
process.exitCode = await main(process.argv.slice(2));
