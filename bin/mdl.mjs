#!/usr/bin/env node
// Thin launcher: the CLI is bundled into dist/ by `npm install` (prepare) or `npm run build`.
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
