import type { Command } from '../command.js';
import { EXEC_USAGE, execOptions, runExec } from './exec-common.js';

/** `mdl test`: Run data tests (generic and singular) and report pass/warn/fail. */
export const testCommand: Command = {
  name: 'test',
  summary: 'Run data tests (generic and singular) and report pass/warn/fail',
  usage: `Usage: mdl test [options]\n\n${EXEC_USAGE}`,
  options: execOptions,
  run: (flags, _positionals, io) => runExec('test', flags, io),
};
