/**
 * Parity and timing of the healthcare project on DuckDB vs. the local Spark Thrift Server. In a
 * temp copy of the project, for day 0 → day N: generate the landing data (demo generator), land it
 * with `mdl ingest`, run `mdl build` on a DuckDB target and on the `spark` target from the SAME
 * bronze files, then compare every silver and gold table — row count and a content hash over a
 * canonical, ordered text form of the rows (wall-clock audit columns excluded). Prints build times
 * and a per-table verdict; differing columns are named, values are never printed.
 *
 *   scripts/services/spark.sh start && source .services/spark.env
 *   npm run bench:spark -- [--days 2] [--scale 20000]     (1M transactions: --scale 1000000 --days 0)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Connection, Row } from '../runner/connections/connection.js';
import { openDuckDb } from '../runner/connections/duckdb-connection.js';
import { SparkConnection } from '../runner/connections/spark-connection.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const root = fs.existsSync(path.join(repo, 'project.yml')) ? repo : path.resolve(process.cwd());
const { values: args } = parseArgs({
  options: {
    days: { type: 'string', default: '2' },
    scale: { type: 'string', default: '20000' },
    // Tables above this size are compared by row count only (fetching millions of rows into
    // Node for the content hash takes longer than the builds themselves).
    'max-content-rows': { type: 'string', default: '250000' },
    seed: { type: 'string', default: '42' },
    keep: { type: 'boolean', default: false },
  },
});
const host = process.env.MDL_SPARK_HOST ?? '127.0.0.1';
const port = Number(process.env.MDL_SPARK_PORT ?? '10009');

/** Columns whose values depend on the wall clock of the build, not on the data. */
// (`current_since` is the valid_from of the current version in gold dimensions.)
const VOLATILE = new Set([
  'inserted_at',
  'modified_at',
  'snapshot_updated_at',
  'valid_from',
  'valid_to',
  'scd_id',
  'current_since',
  'built_at',
  'loaded_at',
]);

function copyProject(dir: string): void {
  for (const p of [
    'project.yml',
    'selectors.yml',
    'models',
    'seeds',
    'macros',
    'data-tests',
    'snapshots',
    'configs',
  ]) {
    const from = path.join(root, p);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(dir, p), { recursive: true });
  }
  fs.writeFileSync(
    path.join(dir, 'configs', 'targets.yml'),
    [
      'default: dev',
      'targets:',
      '  dev:',
      '    type: duckdb',
      '    path: warehouse.duckdb',
      '    schema: main',
      '    threads: 2',
      '  spark:',
      '    type: spark',
      `    host: ${host}`,
      `    port: ${port}`,
      '    auth: NONE',
      '    schema: default',
      '    threads: 2',
      '',
    ].join('\n'),
  );
}

/** Runs a node script; fails the parity run (with its output) when it fails. */
function step(script: string, argv: readonly string[]): void {
  const r = spawnSync(process.execPath, [path.join(root, script), ...argv], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0)
    throw new Error(`${script} ${argv.join(' ')} failed:\n${r.stdout}${r.stderr}`);
}

function build(dir: string, target: string): { ms: number; summary: string } {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'bin', 'mdl.mjs'), 'build', '--project-dir', dir, '--target', target],
    {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  const ms = performance.now() - t0;
  const summary =
    `${r.stdout}`.split('\n').find((l) => l.startsWith('Finished in')) ?? `exit ${r.status}`;
  if (r.status !== 0)
    process.stderr.write(
      `${target} build problems:\n${(r.stdout + r.stderr).split('Problems:')[1] ?? r.stderr}\n`,
    );
  return { ms, summary };
}

/** Canonical text of a value, equal across engines for equal data (numbers to 6 decimals). */
function canon(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number')
    return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e6) / 1e6);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  if (typeof v === 'string') {
    if (/^-?\d+(\.\d+)?$/.test(v)) return canon(Number(v));
    const ts = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d+)?$/.exec(v);
    if (ts !== null)
      return `${ts[1]}T${ts[2]}${(ts[3] ?? '').replace(/0+$/, '').replace(/^\.$/, '')}`;
    return JSON.stringify(v);
  }
  return JSON.stringify(v);
}

function digest(rows: readonly Row[], cols: readonly string[]): string {
  const lines = rows.map((r) => cols.map((c) => canon(r[c])).join('\u0001')).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

async function tablesOf(duck: Connection): Promise<string[]> {
  const rows = await duck.query(
    "SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema IN ('silver', 'gold') AND table_type = 'BASE TABLE' ORDER BY 1",
  );
  return rows.map((r) => String(r.t));
}

/** Lower-cased column names → the engine's row objects keyed the same way. */
function lowerKeys(rows: readonly Row[]): Row[] {
  return rows.map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v])),
  );
}

async function compare(
  duckFile: string,
  spark: Connection,
): Promise<{ same: number; countOnly: number; total: number }> {
  const duck = await openDuckDb({
    type: 'duckdb',
    name: 'dev',
    path: duckFile,
    schema: 'main',
    threads: 2,
    settings: {},
  });
  let same = 0;
  let countOnly = 0;
  const tables = await tablesOf(duck);
  for (const t of tables) {
    const dn = Number((await duck.query(`SELECT count(*) AS n FROM ${t}`))[0]?.n);
    let sn: number;
    try {
      sn = Number((await spark.query(`SELECT count(*) AS n FROM ${t}`))[0]?.n);
    } catch {
      console.log(`  ${t.padEnd(36)} MISSING on Spark`);
      continue;
    }
    if (dn > Number(args['max-content-rows'])) {
      if (dn === sn) countOnly += 1;
      console.log(
        `  ${t.padEnd(36)} ${String(dn).padStart(8)} rows  ${dn === sn ? 'same count' : `DIFFERENT count (spark ${sn})`} (content not hashed: > --max-content-rows)`,
      );
      continue;
    }
    const d = lowerKeys(await duck.query(`SELECT * FROM ${t}`));
    const s = lowerKeys(await spark.query(`SELECT * FROM ${t}`));
    const cols = Object.keys(d[0] ?? s[0] ?? {})
      .filter((c) => !VOLATILE.has(c))
      .sort();
    const hd = digest(d, cols);
    if (d.length === s.length && hd === digest(s, cols)) {
      same += 1;
      console.log(`  ${t.padEnd(36)} ${String(d.length).padStart(8)} rows  identical (${hd})`);
    } else {
      const differing = cols.filter((c) => digest(d, [c]) !== digest(s, [c]));
      console.log(
        `  ${t.padEnd(36)} duckdb ${d.length} / spark ${s.length} rows  DIFFERENT in: ${differing.join(', ') || '(row multiset)'}`,
      );
    }
  }
  await duck.close();
  return { same, countOnly, total: tables.length };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-parity-'));
  copyProject(dir);
  const spark = await SparkConnection.open({ host, port, transport: 'binary', auth: 'NONE' });
  for (const s of ['bronze', 'silver', 'gold', 'silver_audit', 'gold_audit', 'main_audit'])
    await spark.execute(`DROP SCHEMA IF EXISTS \`${s}\` CASCADE`);
  let allSame = true;
  for (let day = 0; day <= Number(args.days); day++) {
    const gen = ['--out', path.join(dir, 'data', 'landing'), '--day', String(day)];
    if (day === 0) gen.push('--scale', String(args.scale), '--seed', String(args.seed));
    step('dist/demo-generate.js', gen);
    step('bin/mdl.mjs', ['ingest', '--project-dir', dir]);
    const duckRun = build(dir, 'dev');
    const sparkRun = build(dir, 'spark');
    console.log(
      `day ${day}: DuckDB build ${(duckRun.ms / 1000).toFixed(1)} s (${duckRun.summary})`,
    );
    console.log(
      `day ${day}: Spark  build ${(sparkRun.ms / 1000).toFixed(1)} s (${sparkRun.summary})  ratio ${(sparkRun.ms / duckRun.ms).toFixed(1)}x`,
    );
    const { same, countOnly, total } = await compare(path.join(dir, 'warehouse.duckdb'), spark);
    console.log(
      `day ${day}: ${same}/${total} silver+gold tables identical${countOnly > 0 ? `, ${countOnly} more with the same row count (not hashed)` : ''}\n`,
    );
    allSame &&= same + countOnly === total && total > 0;
  }
  console.log(`volatile columns excluded from the hash: ${[...VOLATILE].join(', ')}`);
  await spark.close();
  if (args.keep !== true) fs.rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
  process.exitCode = allSame ? 0 : 1;
}

await main();
