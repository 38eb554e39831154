/**
 * DuckDB ↔ Spark parity of the healthcare project, shared by `bench/spark-parity.ts` (timings and
 * a printed verdict) and `tests/e2e/spark-parity.test.ts` (assertions). In a temp copy of the
 * project, per day: generate the landing data (demo generator), land it with `mdl ingest`, run
 * `mdl build` on a DuckDB target and on the `spark` target from the SAME bronze files, then compare
 * every silver and gold table — row count and a content hash over a canonical, sorted text form of
 * the rows (wall-clock audit columns excluded). Differing columns are named; row values never leave
 * this module.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection, Row } from '../../runner/connections/connection.js';
import { openDuckDb } from '../../runner/connections/duckdb-connection.js';
import { SparkConnection } from '../../runner/connections/spark-connection.js';

/** Columns whose values depend on the wall clock of the build, not on the data. */
// (`current_since` is the valid_from of the current version in gold dimensions.)
export const VOLATILE_COLUMNS: ReadonlySet<string> = new Set([
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

/** Schemas the healthcare project writes on Spark (dropped before a parity run starts). */
const SPARK_SCHEMAS = ['bronze', 'silver', 'gold', 'silver_audit', 'gold_audit', 'main_audit'];
const COMPARED_SCHEMAS: ReadonlySet<string> = new Set(['silver', 'gold']);

export interface ParityOptions {
  /** The repo root: holds the project, `bin/mdl.mjs` and the built `dist/demo-generate.js`. */
  readonly root: string;
  readonly sparkHost: string;
  readonly sparkPort: number;
  /** Generator scale for day 0 (transactions ≈ scale). */
  readonly scale: number;
  readonly seed: number;
  /** Tables above this many rows are compared by row count only. */
  readonly maxContentRows: number;
  /**
   * Run the project's data tests in each build (default true). They write no tables, so parity
   * does not depend on them; leaving them out saves ~100 Spark statements per day.
   */
  readonly dataTests?: boolean;
}

/** One `mdl build` of a day. `problems` is the CLI's own problem list (names, codes — no rows). */
export interface BuildRun {
  readonly target: 'dev' | 'spark';
  readonly ms: number;
  readonly ok: boolean;
  readonly summary: string;
  readonly problems: string;
}

/** The comparison of one silver/gold table. */
export type TableVerdict =
  | {
      readonly kind: 'identical';
      readonly table: string;
      readonly rows: number;
      readonly hash: string;
    }
  | {
      readonly kind: 'count-only';
      readonly table: string;
      readonly rows: number;
      readonly sparkRows: number;
    }
  | {
      readonly kind: 'different';
      readonly table: string;
      readonly duckRows: number;
      readonly sparkRows: number;
      /** Columns whose per-column hash differs; empty when only the row multiset differs. */
      readonly columns: readonly string[];
    }
  | { readonly kind: 'missing-on-spark'; readonly table: string; readonly duckRows: number };

export interface DayReport {
  readonly day: number;
  readonly duck: BuildRun;
  readonly spark: BuildRun;
  readonly tables: readonly TableVerdict[];
}

/** True when the verdict counts as parity (count-only tables agree on their row count). */
export function verdictMatches(v: TableVerdict): boolean {
  switch (v.kind) {
    case 'identical':
      return true;
    case 'count-only':
      return v.rows === v.sparkRows;
    case 'different':
    case 'missing-on-spark':
      return false;
    default: {
      const never: never = v;
      return never;
    }
  }
}

/** One line per table, safe to print: table name, counts, hash prefix, differing column names. */
export function describeVerdict(v: TableVerdict): string {
  const t = v.table.padEnd(36);
  switch (v.kind) {
    case 'identical':
      return `  ${t} ${String(v.rows).padStart(8)} rows  identical (${v.hash})`;
    case 'count-only':
      return `  ${t} ${String(v.rows).padStart(8)} rows  ${v.rows === v.sparkRows ? 'same count' : `DIFFERENT count (spark ${v.sparkRows})`} (content not hashed: > max content rows)`;
    case 'different':
      return `  ${t} duckdb ${v.duckRows} / spark ${v.sparkRows} rows  DIFFERENT in: ${v.columns.join(', ') || '(row multiset)'}`;
    case 'missing-on-spark':
      return `  ${t} MISSING on Spark`;
    default: {
      const never: never = v;
      return never;
    }
  }
}

/** Canonical text of a value, equal across engines for equal data (numbers to 6 decimals). */
export function canon(v: unknown): string {
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

/** Order-independent content hash: canonical rows, sorted, then sha256 (16 hex digits). */
export function digest(rows: readonly Row[], cols: readonly string[]): string {
  const lines = rows.map((r) => cols.map((c) => canon(r[c])).join('\u0001')).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

/** Lower-cased column names → the engine's row objects keyed the same way. */
function lowerKeys(rows: readonly Row[]): Row[] {
  return rows.map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v])),
  );
}

/** A parity run in its own temp project; days must be run in order 0, 1, 2, … */
export class HealthcareParityRun {
  private nextDay = 0;

  private constructor(
    private readonly o: ParityOptions,
    /** The temp project directory. */
    readonly dir: string,
    private readonly spark: Connection,
  ) {}

  /** Copies the project into a temp dir with `dev` (DuckDB) and `spark` targets; resets Spark. */
  static async start(o: ParityOptions): Promise<HealthcareParityRun> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-parity-'));
    copyProject(o, dir);
    const spark = await SparkConnection.open({
      host: o.sparkHost,
      port: o.sparkPort,
      transport: 'binary',
      auth: 'NONE',
    });
    try {
      for (const s of SPARK_SCHEMAS) await spark.execute(`DROP SCHEMA IF EXISTS \`${s}\` CASCADE`);
    } catch (e) {
      await spark.close();
      throw e;
    }
    return new HealthcareParityRun(o, dir, spark);
  }

  /**
   * The silver and gold tables the project's manifest says a build materializes (models that are
   * not views/ephemeral, snapshots and seeds), as `schema.name`, sorted.
   */
  async expectedTables(): Promise<string[]> {
    const out = await run(this.o.root, 'bin/mdl.mjs', [
      'ls',
      '--output',
      'json',
      '--project-dir',
      this.dir,
    ]);
    const tables = new Set<string>();
    for (const line of out.split('\n')) {
      if (!line.startsWith('{')) continue;
      const n = JSON.parse(line) as {
        name: string;
        resource_type: string;
        config: { materialized?: string; schema?: string; enabled?: boolean };
      };
      if (!['model', 'snapshot', 'seed'].includes(n.resource_type)) continue;
      if (n.config.enabled === false) continue;
      if (n.config.materialized === 'view' || n.config.materialized === 'ephemeral') continue;
      if (n.config.schema === undefined || !COMPARED_SCHEMAS.has(n.config.schema)) continue;
      tables.add(`${n.config.schema}.${n.name}`);
    }
    return [...tables].sort();
  }

  /** Generates, ingests and builds the next day on both engines, then compares the tables. */
  async runDay(): Promise<DayReport> {
    const day = this.nextDay++;
    const gen = ['--out', path.join(this.dir, 'data', 'landing'), '--day', String(day)];
    if (day === 0) gen.push('--scale', String(this.o.scale), '--seed', String(this.o.seed));
    await run(this.o.root, 'dist/demo-generate.js', gen);
    await run(this.o.root, 'bin/mdl.mjs', ['ingest', '--project-dir', this.dir]);
    const extra = this.o.dataTests === false ? ['--exclude', 'resource_type:test'] : [];
    const duck = await build(this.o.root, this.dir, 'dev', extra);
    const spark = await build(this.o.root, this.dir, 'spark', extra);
    const tables = await this.compare();
    return { day, duck, spark, tables };
  }

  /** Silver and gold BASE TABLEs in the DuckDB warehouse, as `schema.name`, sorted. */
  async duckTables(): Promise<string[]> {
    return this.withDuck(async (duck) => {
      const rows = await duck.query(
        "SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema IN ('silver', 'gold') AND table_type = 'BASE TABLE' ORDER BY 1",
      );
      return rows.map((r) => String(r.t));
    });
  }

  /** Closes the Spark session; removes the temp project unless `keep`. */
  async close(keep = false): Promise<void> {
    await this.spark.close();
    if (!keep) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private async withDuck<T>(fn: (c: Connection) => Promise<T>): Promise<T> {
    const duck = await openDuckDb({
      type: 'duckdb',
      name: 'dev',
      path: path.join(this.dir, 'warehouse.duckdb'),
      schema: 'main',
      threads: 2,
      settings: {},
    });
    try {
      return await fn(duck);
    } finally {
      await duck.close();
    }
  }

  /** Compares every silver and gold table of the DuckDB warehouse with its Spark twin. */
  async compare(): Promise<TableVerdict[]> {
    const tables = await this.duckTables();
    return this.withDuck(async (duck) => {
      const verdicts: TableVerdict[] = [];
      for (const t of tables) verdicts.push(await this.compareTable(duck, t));
      return verdicts;
    });
  }

  private async compareTable(duck: Connection, table: string): Promise<TableVerdict> {
    const duckRows = Number((await duck.query(`SELECT count(*) AS n FROM ${table}`))[0]?.n);
    let sparkRows: number;
    try {
      sparkRows = Number((await this.spark.query(`SELECT count(*) AS n FROM ${table}`))[0]?.n);
    } catch {
      return { kind: 'missing-on-spark', table, duckRows };
    }
    if (duckRows > this.o.maxContentRows)
      return { kind: 'count-only', table, rows: duckRows, sparkRows };
    const d = lowerKeys(await duck.query(`SELECT * FROM ${table}`));
    const s = lowerKeys(await this.spark.query(`SELECT * FROM ${table}`));
    // The union of both engines' columns: a column present on one side only hashes as all-null
    // there, so it shows up as a differing column instead of being silently skipped.
    const cols = [...new Set([...Object.keys(d[0] ?? {}), ...Object.keys(s[0] ?? {})])]
      .filter((c) => !VOLATILE_COLUMNS.has(c))
      .sort();
    const hash = digest(d, cols);
    if (d.length === s.length && hash === digest(s, cols))
      return { kind: 'identical', table, rows: d.length, hash };
    const columns = cols.filter((c) => digest(d, [c]) !== digest(s, [c]));
    return { kind: 'different', table, duckRows: d.length, sparkRows: s.length, columns };
  }
}

function copyProject(o: ParityOptions, dir: string): void {
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
    const from = path.join(o.root, p);
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
      `    host: ${o.sparkHost}`,
      `    port: ${o.sparkPort}`,
      '    auth: NONE',
      '    schema: default',
      '    threads: 2',
      '',
    ].join('\n'),
  );
}

/**
 * Runs a node script and collects its output. Asynchronous on purpose: a build takes a minute on
 * Spark, and blocking the event loop that long starves the vitest worker's RPC.
 */
function node(
  argv: readonly string[],
): Promise<{ status: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (status) =>
      resolve({
        status,
        out: Buffer.concat(out).toString('utf8'),
        err: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}

/** Runs a node script of the repo; throws (with its output) when it fails. */
async function run(root: string, script: string, argv: readonly string[]): Promise<string> {
  const r = await node([path.join(root, script), ...argv]);
  if (r.status !== 0) throw new Error(`${script} ${argv.join(' ')} failed:\n${r.out}${r.err}`);
  return r.out;
}

async function build(
  root: string,
  dir: string,
  target: 'dev' | 'spark',
  extra: readonly string[],
): Promise<BuildRun> {
  const t0 = performance.now();
  const r = await node([
    path.join(root, 'bin', 'mdl.mjs'),
    'build',
    '--project-dir',
    dir,
    '--target',
    target,
    ...extra,
  ]);
  const ms = performance.now() - t0;
  const summary = r.out.split('\n').find((l) => l.startsWith('Finished in')) ?? `exit ${r.status}`;
  const ok = r.status === 0;
  const problems = ok ? '' : ((r.out + r.err).split('Problems:')[1] ?? r.err);
  return { target, ms, ok, summary, problems };
}
