import type { Command } from './command.js';

/**
 * All CLI commands, loaded lazily so `mdl --help` and small commands do not pay for the
 * imports of big ones (DuckDB bindings, knex drivers).
 */
export const commandLoaders: Readonly<Record<string, () => Promise<Command>>> = {};
