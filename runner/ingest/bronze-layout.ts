/**
 * Where bronze files live and how a load becomes visible atomically:
 *
 *   <bronze>/<targetpath>/<table>/load_id=<id>/part-NNNNN.parquet   committed loads
 *   <bronze>/<targetpath>/<table>/_latest.json                       newest committed load
 *   <bronze>/_staging/<targetpath>/<table>/<id>/                     a load being written
 *   <bronze>/_orphaned/<targetpath>/<table>/load_id=<id>/            committed but never audited
 *
 * Parts are written to the staging folder, fsynced, and the folder is renamed into place (one
 * atomic rename on the same filesystem), so readers of `load_id=* /*.parquet` never see a
 * partial load. Load ids sort by time, so "latest" is also `max(_load_id)`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Folder of one bronze table. */
export function tableDir(bronzeRoot: string, targetPath: string, table: string): string {
  return path.join(bronzeRoot, targetPath, table);
}

/** Staging folder of one load (outside any glob readers use). */
export function stagingDir(
  bronzeRoot: string,
  targetPath: string,
  table: string,
  loadId: string,
): string {
  return path.join(bronzeRoot, '_staging', targetPath, table, loadId);
}

/** A new load id: UTC time to the millisecond (sortable) plus random bits (unique). */
export function newLoadId(now: Date = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${t}_${crypto.randomBytes(3).toString('hex')}`;
}

function fsyncPath(p: string): void {
  const fd = fs.openSync(p, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Makes a staged load visible: fsyncs every file and the folder, renames it to
 * `load_id=<id>` and fsyncs the parent. Returns the committed folder.
 */
export function commitLoad(staged: string, tableFolder: string, loadId: string): string {
  for (const f of fs.readdirSync(staged)) fsyncPath(path.join(staged, f));
  fsyncPath(staged);
  fs.mkdirSync(tableFolder, { recursive: true });
  const dest = path.join(tableFolder, `load_id=${loadId}`);
  fs.renameSync(staged, dest);
  fsyncPath(tableFolder);
  return dest;
}

/** Committed load ids of a table, oldest first. */
export function listLoads(tableFolder: string): readonly string[] {
  if (!fs.existsSync(tableFolder)) return [];
  return fs
    .readdirSync(tableFolder, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name.startsWith('load_id='))
    .map((d) => d.name.slice('load_id='.length))
    .sort();
}

/** The `_latest.json` marker: which load a Full table's readers should use. */
export interface LatestMarker {
  readonly load_id: string;
  readonly load_type: 'Full' | 'Incremental';
  readonly rows: number;
  readonly committed_at: string;
}

/** Writes `_latest.json` atomically (temp file + fsync + rename). */
export function writeLatestMarker(tableFolder: string, marker: LatestMarker): void {
  const tmp = path.join(tableFolder, `._latest.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, `${JSON.stringify(marker, null, 2)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path.join(tableFolder, '_latest.json'));
  fsyncPath(tableFolder);
}

/** Reads `_latest.json`, or undefined when the table has no committed load. */
export function readLatestMarker(tableFolder: string): LatestMarker | undefined {
  const p = path.join(tableFolder, '_latest.json');
  if (!fs.existsSync(p)) return undefined;
  return JSON.parse(fs.readFileSync(p, 'utf8')) as LatestMarker;
}

/**
 * Keeps the `keep` newest loads of a Full table and removes older ones (a Full load supersedes
 * them; they are kept for a while for audits and rollbacks). Returns the removed ids.
 */
export function pruneFullLoads(tableFolder: string, keep: number): readonly string[] {
  const loads = listLoads(tableFolder);
  const drop = loads.slice(0, Math.max(0, loads.length - Math.max(1, keep)));
  for (const id of drop)
    fs.rmSync(path.join(tableFolder, `load_id=${id}`), { recursive: true, force: true });
  return drop;
}

/** Removes leftovers of killed loads of one table (staging folders are never visible). */
export function cleanStaging(bronzeRoot: string, targetPath: string, table: string): void {
  fs.rmSync(path.join(bronzeRoot, '_staging', targetPath, table), { recursive: true, force: true });
}

/**
 * Moves committed loads newer than the newest audited one out of the readers' glob: they come
 * from a process killed between the rename and the audit insert. Only loads after the last
 * succeeded one are considered, and only when the table has audit history, so a fresh or
 * rebuilt warehouse never hides existing bronze. Returns the moved ids.
 */
export function quarantineOrphans(
  bronzeRoot: string,
  targetPath: string,
  table: string,
  succeeded: ReadonlySet<string>,
): readonly string[] {
  if (succeeded.size === 0) return [];
  const newest = [...succeeded].sort().at(-1) ?? '';
  const folder = tableDir(bronzeRoot, targetPath, table);
  const orphans = listLoads(folder).filter((id) => id > newest);
  if (orphans.length === 0) return [];
  const dest = path.join(bronzeRoot, '_orphaned', targetPath, table);
  fs.mkdirSync(dest, { recursive: true });
  for (const id of orphans)
    fs.renameSync(path.join(folder, `load_id=${id}`), path.join(dest, `load_id=${id}`));
  return orphans;
}
