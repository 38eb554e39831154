import type { Command } from '../command.js';
import { EXEC_USAGE, execOptions, runExec } from './exec-common.js';

/** `mdl build`: Seeds, models, snapshots and tests in DAG order; a failing test skips its dependants. */
export const buildCommand: Command = {
  name: 'build',
  summary: 'Seeds, models, snapshots and tests in DAG order; a failing test skips its dependants',
  usage: `Usage: mdl build [options]\n\n${EXEC_USAGE}`,
  options: execOptions,
  run: (flags, _positionals, io) => runExec('build', flags, io),
};
