import path from 'node:path';
import { MdlError, formatError, isMdlError } from '../../errors/mdl-error.js';
import type { MdlErrorCode } from '../../errors/mdl-error.js';
import type { IngestEvent } from '../../ingest/ingest-events.js';
import { runIngest } from '../../ingest/run-ingest.js';
import type { IngestSummary } from '../../ingest/run-ingest.js';
import { loadProject } from '../../project/load-project.js';
import type { CliIo, Command, Flags } from '../command.js';
import { projectOptions } from '../common-options.js';

const RUN_FAILURES: ReadonlySet<MdlErrorCode> = new Set([
  'E_HTTP',
  'E_CONNECTION',
  'E_DB_LOCKED',
  'E_SQL',
  'E_INGEST',
]);

const intFlag = (flags: Flags, name: string, min: number, max: number): number | undefined => {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new MdlError(
      'E_USAGE',
      `--${name} must be a whole number from ${min} to ${max} (got '${String(raw)}')`,
    );
  return n;
};

/** One line per table event; row progress at most every 2 s per table. */
function progressPrinter(io: CliIo): (e: IngestEvent) => void {
  const last = new Map<string, number>();
  return (e) => {
    switch (e.type) {
      case 'start':
        io.stdout(`[${e.id}] started (load ${e.loadId})\n`);
        return;
      case 'watermark':
        io.stdout(
          `[${e.id}] watermark ${e.column}: ${e.old ?? '(first load)'} → ${e.captured ?? '(empty table)'}\n`,
        );
        return;
      case 'progress': {
        const now = Date.now();
        if (now - (last.get(e.id) ?? 0) < 2000) return;
        last.set(e.id, now);
        io.stdout(`[${e.id}] ${e.rows.toLocaleString('en-US')} rows\n`);
        return;
      }
      case 'committed':
        io.stdout(`[${e.id}] committed ${e.rows.toLocaleString('en-US')} rows\n`);
        return;
      case 'keys':
        io.stdout(
          e.columns.length === 0
            ? `[${e.id}] no key columns known: source deletes cannot be detected for this table\n`
            : `[${e.id}] key list (${e.columns.join(', ')}): ${(e.keys ?? 0).toLocaleString('en-US')} keys\n`,
        );
        return;
      case 'skipped':
        io.stdout(`[${e.id}] skipped: ${e.reason}\n`);
        return;
      case 'failed':
        io.stderr(`[${e.id}] FAILED: ${e.error}\n`);
        return;
    }
  };
}

function summary(s: IngestSummary, io: CliIo, seconds: number): number {
  const lines: string[] = ['', 'Summary:'];
  for (const t of s.tables)
    lines.push(
      `  ${t.status === 'succeeded' ? 'OK  ' : 'FAIL'} ${t.id.padEnd(36)} ${String(t.rows).padStart(10)} rows  ${(t.durationMs / 1000).toFixed(1)}s${t.newWatermark === undefined ? '' : `  hwm=${t.newWatermark}`}`,
    );
  for (const f of s.files)
    lines.push(
      `  ${f.status === 'rejected' ? 'REJ ' : f.status === 'duplicate' ? 'DUP ' : 'OK  '} ${f.file.padEnd(36)} ${String(f.rows).padStart(10)} rows${f.reason === undefined ? '' : `  (${f.reason})`}`,
    );
  const failed = s.tables.filter((t) => t.status === 'failed').length;
  const rejected = s.files.filter((f) => f.status === 'rejected').length;
  lines.push(
    `Done in ${seconds.toFixed(1)}s: ${s.tables.length - failed} table(s) loaded, ${failed} failed; ${s.files.filter((f) => f.status === 'loaded').length} file(s) loaded, ${rejected} rejected.`,
  );
  io.stdout(`${lines.join('\n')}\n`);
  return failed > 0 || rejected > 0 ? 1 : 0;
}

/** `mdl ingest`: landing → bronze (EMR tables from load_config.csv, landing files). */
export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'Copy EMR tables and landing files into bronze Parquet (what ADF does in production)',
  usage: [
    'Usage: mdl ingest [--only <datasource.table>]... [--concurrency N] [--landing-only | --emr-only]',
    '',
    'Reads configs/emr/load_config.csv and configs/emr/connections.yml; writes data/bronze/;',
    'records every load in audit.load_logs of the target warehouse. Exit code 1 if a table failed',
    'or a landing file was rejected.',
    '',
    'Code-set APIs (run before the landing files, results land in data/landing/):',
    '  --npi-state XX [--npi-city C] [--npi-taxonomy T]   NPPES NPI Registry v2.1 search',
    "  --icd-who-release 2019   WHO ICD-10 (secret('who-icd-client-id'), secret('who-icd-client-secret'))",
  ].join('\n'),
  options: {
    ...projectOptions,
    only: { type: 'string', multiple: true },
    concurrency: { type: 'string', short: 'c' },
    'landing-only': { type: 'boolean' },
    'emr-only': { type: 'boolean' },
    'keep-full-loads': { type: 'string' },
    'overlap-seconds': { type: 'string' },
    'npi-state': { type: 'string', multiple: true },
    'npi-city': { type: 'string' },
    'npi-taxonomy': { type: 'string' },
    'icd-who-release': { type: 'string' },
  },
  async run(flags, _positionals, io) {
    if (flags['landing-only'] === true && flags['emr-only'] === true)
      throw new MdlError('E_USAGE', '--landing-only and --emr-only exclude each other');
    const projectDir = path.resolve(
      io.cwd,
      typeof flags['project-dir'] === 'string' ? flags['project-dir'] : '.',
    );
    const targetName = typeof flags.target === 'string' ? flags.target : undefined;
    const project = await loadProject({
      projectDir,
      ...(targetName === undefined ? {} : { targetName }),
      env: io.env,
    });
    const name = targetName ?? project.targets.defaultTarget;
    const target = project.targets.targets[name];
    if (target === undefined)
      throw new MdlError('E_TARGET', `unknown target '${name}'`, { file: project.targets.file });
    const only = (Array.isArray(flags.only) ? flags.only : []).filter(
      (x): x is string => typeof x === 'string',
    );
    const concurrency = intFlag(flags, 'concurrency', 1, 64);
    const keepFullLoads = intFlag(flags, 'keep-full-loads', 1, 1000);
    const overlapSeconds = intFlag(flags, 'overlap-seconds', 0, 86_400 * 31);
    const str = (v: Flags[string]): string | undefined =>
      typeof v === 'string' && v !== '' ? v : undefined;
    const states = (Array.isArray(flags['npi-state']) ? flags['npi-state'] : []).filter(
      (x): x is string => typeof x === 'string',
    );
    const city = str(flags['npi-city']);
    const taxonomy = str(flags['npi-taxonomy']);
    const npiBase = {
      ...(city === undefined ? {} : { city }),
      ...(taxonomy === undefined ? {} : { taxonomyDescription: taxonomy }),
    };
    const npiQueries =
      states.length > 0
        ? states.map((state) => ({ ...npiBase, state }))
        : city !== undefined || taxonomy !== undefined
          ? [npiBase]
          : [];
    const icdWhoRelease = str(flags['icd-who-release']);
    if (icdWhoRelease !== undefined && !/^[0-9]{4}$/.test(icdWhoRelease))
      throw new MdlError(
        'E_USAGE',
        `--icd-who-release must be a release year such as 2019 (got '${icdWhoRelease}')`,
      );
    const started = Date.now();
    let result: IngestSummary;
    try {
      result = await runIngest({
        projectDir,
        target,
        env: io.env,
        only,
        ...(concurrency === undefined ? {} : { concurrency }),
        ...(keepFullLoads === undefined ? {} : { keepFullLoads }),
        ...(overlapSeconds === undefined ? {} : { overlapSeconds }),
        emr: flags['landing-only'] !== true,
        landing: flags['emr-only'] !== true && only.length === 0,
        npiQueries,
        ...(icdWhoRelease === undefined ? {} : { icdWhoRelease }),
        listener: progressPrinter(io),
      });
    } catch (err) {
      // An unreachable source, API or warehouse is a run failure (1), not a usage error (2).
      if (isMdlError(err) && RUN_FAILURES.has(err.code)) {
        io.stderr(`${formatError(err)}\n`);
        return 1;
      }
      throw err;
    }
    return summary(result, io, (Date.now() - started) / 1000);
  },
};
