import type { Command } from '../command.js';
import { EXEC_USAGE, execOptions, runExec } from './exec-common.js';

/** `mdl seed`: Load seeds/*.csv into tables (atomically replaced). */
export const seedCommand: Command = {
  name: 'seed',
  summary: 'Load seeds/*.csv into tables (atomically replaced)',
  usage: `Usage: mdl seed [options]\n\n${EXEC_USAGE}`,
  options: execOptions,
  run: (flags, _positionals, io) => runExec('seed', flags, io),
};
