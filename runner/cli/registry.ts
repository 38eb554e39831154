import type { Command } from './command.js';

/**
 * All CLI commands, loaded lazily so `mdl --help` and small commands do not pay for the
 * imports of big ones (DuckDB bindings, knex drivers).
 */
export const commandLoaders: Readonly<Record<string, () => Promise<Command>>> = {
  compile: () => import('./commands/compile.js').then((m) => m.compileCommand),
  ls: () => import('./commands/ls.js').then((m) => m.lsCommand),
  parse: () => import('./commands/parse.js').then((m) => m.parseCommand),
  run: () => import('./commands/run.js').then((m) => m.runCommand),
  build: () => import('./commands/build.js').then((m) => m.buildCommand),
  test: () => import('./commands/test.js').then((m) => m.testCommand),
  seed: () => import('./commands/seed.js').then((m) => m.seedCommand),
  retry: () => import('./commands/retry.js').then((m) => m.retryCommand),
  show: () => import('./commands/show.js').then((m) => m.showCommand),
  debug: () => import('./commands/debug.js').then((m) => m.debugCommand),
  ingest: () => import('./commands/ingest.js').then((m) => m.ingestCommand),
};
