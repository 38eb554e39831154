import type { Command } from '../command.js';
import { EXEC_USAGE, execOptions, runExec } from './exec-common.js';

/** `mdl run`: Build models and snapshots (views, tables, incremental, SCD2) in DAG order. */
export const runCommand: Command = {
  name: 'run',
  summary: 'Build models and snapshots (views, tables, incremental, SCD2) in DAG order',
  usage: `Usage: mdl run [options]\n\n${EXEC_USAGE}`,
  options: execOptions,
  run: (flags, _positionals, io) => runExec('run', flags, io),
};
