import path from 'node:path';
import { readRunResults, RETRY_STATUSES } from '../../execute/artifacts.js';
import { COMMAND_RESOURCE_TYPES, type ExecCommand } from '../../execute/invocation.js';
import type { Command, Flags } from '../command.js';
import { EXEC_USAGE, execOptions, runExec } from './exec-common.js';

const isExecCommand = (c: unknown): c is ExecCommand =>
  typeof c === 'string' && c in COMMAND_RESOURCE_TYPES;

/**
 * `mdl retry`: re-runs only the nodes whose last status was error, fail, skipped or cancelled,
 * with the previous command, target and flags (from target/run_results.json). `--vars` values
 * are never stored, so pass them again if the failed run used them.
 */
export const retryCommand: Command = {
  name: 'retry',
  summary: 'Re-run only what failed, was skipped or was cancelled in the last run',
  usage: `Usage: mdl retry [--project-dir d] [--vars ...]\n\nReads target/run_results.json and repeats that command for the nodes with status error, fail, skipped or cancelled.\n${EXEC_USAGE}`,
  options: execOptions,
  async run(flags, _positionals, io) {
    const projectDir = typeof flags['project-dir'] === 'string' ? flags['project-dir'] : io.cwd;
    // The default artifacts folder; a custom target-path is honoured through --project-dir's project.yml below.
    const { loadProject } = await import('../../project/load-project.js');
    const project = await loadProject({
      projectDir: path.resolve(io.cwd, projectDir),
      env: io.env,
      ...(typeof flags.target === 'string' ? { targetName: flags.target } : {}),
    });
    const prev = readRunResults(project.targetPath);
    const ids = new Set(
      prev.results.filter((r) => RETRY_STATUSES.has(r.status)).map((r) => r.uniqueId),
    );
    const command = prev.args.command ?? prev.metadata.command;
    if (!isExecCommand(command)) {
      io.stderr(`E_USAGE: the last run (${JSON.stringify(command)}) cannot be retried\n`);
      return 2;
    }
    if (ids.size === 0) {
      io.stdout(`Nothing to retry: every node of the last '${command}' succeeded.\n`);
      return 0;
    }
    const a = prev.args;
    const merged: Flags = {
      ...flags,
      ...(flags.target === undefined && typeof a.target === 'string' ? { target: a.target } : {}),
      ...(flags.threads === undefined && typeof a.threads === 'number'
        ? { threads: String(a.threads) }
        : {}),
      ...(flags['full-refresh'] === undefined && a.fullRefresh === true
        ? { 'full-refresh': true }
        : {}),
      ...(flags['fail-fast'] === undefined && a.failFast === true ? { 'fail-fast': true } : {}),
    };
    io.stdout(`Retrying ${ids.size} node${ids.size === 1 ? '' : 's'} of the last '${command}'\n`);
    return runExec(command, merged, io, { onlyIds: ids, recordAs: command });
  },
};
