/**
 * Landing zone → bronze. Each file is processed exactly once: its SHA-256 is looked up in
 * `audit.landed_files`; a new file is converted to one Parquet load (staged, fsynced, renamed
 * into `load_id=…`), recorded, then moved to `<landing>/archive/<kind>/`. A malformed file is
 * moved to `<landing>/rejected/<kind>/` with a `<file>.reason.txt`, and the others continue.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBInstance } from '@duckdb/node-api';
import { MdlError } from '../errors/mdl-error.js';
import type { AuditLog } from './audit-log.js';
import {
  cleanStaging,
  commitLoad,
  newLoadId,
  stagingDir,
  tableDir,
  writeLatestMarker,
} from './bronze-layout.js';
import { parseIcdOrderFile } from './icd-order-file.js';
import type { IngestListener } from './ingest-events.js';
import type { DatasourceFromFileName, LandingKindSpec } from './landing-kinds.js';
import {
  DEFAULT_CLAIMS_DATASOURCE,
  LANDING_KINDS,
  datasourceOfFile,
  snakeCase,
} from './landing-kinds.js';
import { npiRowsOfResponse } from './npi-records.js';

export interface LandingOptions {
  /** Absolute landing root (`<project>/data/landing`). */
  readonly landingRoot: string;
  /** Absolute bronze root. */
  readonly bronzeRoot: string;
  readonly audit: AuditLog;
  readonly claimsDatasource?: DatasourceFromFileName;
  readonly listener?: IngestListener;
}

export interface LandingFileResult {
  /** Path relative to the landing root. */
  readonly file: string;
  readonly kind: LandingKindSpec['kind'];
  readonly status: 'loaded' | 'duplicate' | 'rejected';
  readonly rows: number;
  readonly loadId?: string;
  readonly reason?: string;
}

const lit = (v: string): string => `'${v.replaceAll("'", "''")}'`;
const q = (v: string): string => `"${v.replaceAll('"', '""')}"`;

function sha256File(file: string): string {
  const h = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

/** Moves a file into `dir`, never overwriting (a suffix keeps both). */
function moveInto(file: string, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  let dest = path.join(dir, path.basename(file));
  for (let i = 1; fs.existsSync(dest); i++) dest = path.join(dir, `${path.basename(file)}.${i}`);
  fs.renameSync(file, dest);
  return dest;
}

/** Reason text safe to store: first line only, quoted fragments (possible values) blanked. */
function safeReason(err: unknown): string {
  if (err instanceof MdlError)
    return `${err.code}: ${err.message}${err.line === undefined ? '' : ` (line ${err.line})`}`;
  const first = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
  return first.replace(/"[^"]*"|'[^']*'/g, '"…"');
}

async function columnsOf(conn: DuckDBConnection, from: string): Promise<string[]> {
  const r = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${from}`);
  return r
    .getRowObjectsJS()
    .map((row) => (typeof row.column_name === 'string' ? row.column_name : ''));
}

/** Writes plain rows as NDJSON then Parquet with explicit column types. */
async function jsonRowsToParquet(
  conn: DuckDBConnection,
  rows: readonly object[],
  columns: Readonly<Record<string, string>>,
  staged: string,
  lineage: string,
): Promise<void> {
  const nd = path.join(staged, '_rows.ndjson');
  fs.writeFileSync(
    nd,
    rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length > 0 ? '\n' : ''),
  );
  const spec = Object.entries(columns)
    .map(([k, t]) => `${lit(k)}: ${lit(t)}`)
    .join(', ');
  const from =
    rows.length === 0
      ? `(SELECT ${Object.entries(columns)
          .map(([k, t]) => `CAST(NULL AS ${t}) AS ${q(k)}`)
          .join(', ')} WHERE false)`
      : `read_json(${lit(nd)}, format = 'newline_delimited', columns = {${spec}})`;
  await conn.run(
    `COPY (SELECT *, ${lineage} FROM ${from}) TO ${lit(path.join(staged, 'part-00000.parquet'))} (FORMAT parquet, COMPRESSION zstd)`,
  );
  fs.rmSync(nd);
}

async function convert(
  conn: DuckDBConnection,
  spec: LandingKindSpec,
  file: string,
  staged: string,
  lineage: string,
): Promise<number> {
  const base = path.basename(file);
  const ext = path.extname(file).toLowerCase();
  if (spec.kind === 'npi') {
    let doc: unknown;
    try {
      doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      throw new MdlError('E_INGEST', 'not valid JSON', {
        file: base,
        hint: 'expected an NPPES API v2.1 response document',
      });
    }
    const rows = npiRowsOfResponse(doc);
    await jsonRowsToParquet(
      conn,
      rows,
      {
        npi: 'BIGINT',
        enumeration_type: 'VARCHAR',
        first_name: 'VARCHAR',
        last_name: 'VARCHAR',
        position: 'VARCHAR',
        organisation_name: 'VARCHAR',
        primary_taxonomy: 'VARCHAR',
        state: 'VARCHAR',
        last_updated: 'DATE',
      },
      staged,
      lineage,
    );
    return rows.length;
  }
  if (spec.kind === 'icd' && ext === '.txt') {
    const rows = parseIcdOrderFile(fs.readFileSync(file, 'utf8'), base);
    await jsonRowsToParquet(
      conn,
      rows,
      {
        icd_code: 'VARCHAR',
        icd_code_type: 'VARCHAR',
        code_description: 'VARCHAR',
        is_billable: 'BOOLEAN',
      },
      staged,
      lineage,
    );
    return rows.length;
  }
  // CSV kinds: raw text columns (silver casts), strict parsing so ragged files are rejected.
  const from = `read_csv(${lit(file)}, header = true, all_varchar = true, strict_mode = true, auto_detect = true)`;
  const cols = await columnsOf(conn, from);
  const names = spec.kind === 'cpt' ? cols.map(snakeCase) : cols;
  const missing = spec.requiredColumns.filter(
    (c) => !names.some((n) => n.toLowerCase() === c.toLowerCase()),
  );
  if (missing.length > 0)
    throw new MdlError('E_INGEST', `missing column(s) ${missing.join(', ')}`, {
      file: base,
      hint: `a ${spec.kind} file needs: ${spec.requiredColumns.join(', ')}`,
    });
  const select = cols.map((c, i) => `${q(c)} AS ${q(names[i] ?? c)}`).join(', ');
  const out = path.join(staged, 'part-00000.parquet');
  await conn.run(
    `COPY (SELECT ${select}, ${lineage} FROM ${from}) TO ${lit(out)} (FORMAT parquet, COMPRESSION zstd)`,
  );
  const n = await conn.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${lit(out)})`);
  return Number(n.getRowObjectsJS()[0]?.n ?? 0);
}

/** Lists the files waiting in the landing zone, per kind, in name order. */
export function pendingLandingFiles(
  landingRoot: string,
): { spec: LandingKindSpec; file: string }[] {
  const out: { spec: LandingKindSpec; file: string }[] = [];
  for (const spec of LANDING_KINDS) {
    const dir = path.join(landingRoot, spec.folder);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      // dot files are temp files still being written (code-set fetches, copies in progress)
      if (name.startsWith('.')) continue;
      if (fs.statSync(full).isFile() && spec.extensions.includes(path.extname(name).toLowerCase()))
        out.push({ spec, file: full });
    }
  }
  return out;
}

/** Processes every pending landing file (sequentially: files are small and few). */
export async function runLandingIngest(
  opts: LandingOptions,
): Promise<readonly LandingFileResult[]> {
  const pending = pendingLandingFiles(opts.landingRoot);
  if (pending.length === 0) return [];
  const listener = opts.listener ?? (() => undefined);
  const rule = opts.claimsDatasource ?? DEFAULT_CLAIMS_DATASOURCE;
  const duck = await DuckDBInstance.create(':memory:', { memory_limit: '512MB', threads: '2' });
  const conn = await duck.connect();
  const results: LandingFileResult[] = [];
  try {
    for (const { spec, file } of pending) {
      const rel = path.relative(opts.landingRoot, file);
      const base = path.basename(file);
      const hash = sha256File(file);
      if (await opts.audit.isFileProcessed(hash)) {
        moveInto(file, path.join(opts.landingRoot, 'archive', spec.folder));
        await listener({ type: 'skipped', id: rel, reason: 'already loaded (same content hash)' });
        results.push({ file: rel, kind: spec.kind, status: 'duplicate', rows: 0 });
        continue;
      }
      const startedAt = new Date();
      const loadId = newLoadId(startedAt);
      const staged = stagingDir(opts.bronzeRoot, spec.targetPath, spec.table, loadId);
      await listener({ type: 'start', id: rel, loadId });
      try {
        const datasource = spec.kind === 'claims' ? datasourceOfFile(base, rule) : undefined;
        if (spec.kind === 'claims' && datasource === undefined)
          throw new MdlError('E_INGEST', `cannot derive the datasource from the file name`, {
            file: base,
            hint: `name claim files to match /${rule.pattern}/ with one of: ${Object.keys(rule.codes).join(', ')}`,
          });
        cleanStaging(opts.bronzeRoot, spec.targetPath, spec.table);
        fs.mkdirSync(staged, { recursive: true });
        const loadedAt = startedAt.toISOString().replace('T', ' ').replace('Z', '');
        const lineage = [
          ...(datasource === undefined
            ? []
            : [`CAST(${lit(datasource)} AS VARCHAR) AS datasource`]),
          `CAST(${lit(base)} AS VARCHAR) AS _source_file`,
          `CAST(${lit(loadId)} AS VARCHAR) AS _load_id`,
          `CAST(${lit(loadedAt)} AS TIMESTAMP) AS _loaded_at`,
        ].join(', ');
        const rows = await convert(conn, spec, file, staged, lineage);
        const table = tableDir(opts.bronzeRoot, spec.targetPath, spec.table);
        const folder = commitLoad(staged, table, loadId);
        const finishedAt = new Date();
        await opts.audit.recordFile({
          fileName: rel,
          sha256: hash,
          kind: spec.kind,
          ...(datasource === undefined ? {} : { dataSource: datasource }),
          rows,
          loadId,
          status: 'succeeded',
          processedAt: finishedAt,
        });
        await opts.audit.recordLoad({
          dataSource: datasource ?? spec.kind,
          tablename: `${spec.targetPath}.${spec.table}`,
          loadType: 'File',
          rowsCopied: rows,
          status: 'succeeded',
          loadId,
          startedAt,
          finishedAt,
        });
        writeLatestMarker(table, {
          load_id: loadId,
          load_type: spec.snapshot ? 'Full' : 'Incremental',
          rows,
          committed_at: finishedAt.toISOString(),
        });
        moveInto(file, path.join(opts.landingRoot, 'archive', spec.folder));
        await listener({ type: 'committed', id: rel, rows, folder });
        results.push({ file: rel, kind: spec.kind, status: 'loaded', rows, loadId });
      } catch (err) {
        fs.rmSync(staged, { recursive: true, force: true });
        const reason = safeReason(err);
        const dir = path.join(opts.landingRoot, 'rejected', spec.folder);
        const dest = moveInto(file, dir);
        fs.writeFileSync(`${dest}.reason.txt`, `${reason}\n`);
        await opts.audit
          .recordFile({
            fileName: rel,
            sha256: hash,
            kind: spec.kind,
            rows: 0,
            loadId,
            status: 'rejected',
            reason,
            processedAt: new Date(),
          })
          .catch(() => undefined);
        await listener({ type: 'failed', id: rel, error: reason });
        results.push({ file: rel, kind: spec.kind, status: 'rejected', rows: 0, loadId, reason });
      }
    }
  } finally {
    conn.closeSync();
    duck.closeSync();
  }
  return results;
}
