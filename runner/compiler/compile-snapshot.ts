import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from '../project/project-files.js';
import type { Project } from '../project/types.js';
import type { ParsedTemplate } from './compile-cache.js';
import type { Manifest } from './manifest.js';
import type { SerializedManifest } from './write-artifacts.js';

/**
 * Stamps of the input files, as parallel columns (few objects: parsing and keeping 10,000
 * per-file arrays cost more in GC than the rest of an incremental compile).
 */
export interface FileStamps {
  readonly paths: readonly string[];
  readonly mtimes: readonly number[];
  readonly sizes: readonly number[];
  /** sha256 hex per file, concatenated ({@link HASH_WIDTH} chars each; all '-' = poisoned). */
  readonly hashes: string;
  /** One char per file: m/s/t = cacheable model/snapshot/singular-test template, '-' = other. */
  readonly kinds: string;
  /** Parse signature per file ({@link SIG_WIDTH} chars each; blanks for non-templates). */
  readonly sigs: string;
}

export const HASH_WIDTH = 64;
export const SIG_WIDTH = 24;
const POISON = '-'.repeat(HASH_WIDTH);
const NO_SIG = ' '.repeat(SIG_WIDTH);

/** Node kinds by their {@link FileStamps.kinds} char. */
export const KIND_OF: Readonly<Record<string, 'model' | 'snapshot' | 'test'>> = {
  m: 'model',
  s: 'snapshot',
  t: 'test',
};

/** Input files found by {@link scanInputs}, in a deterministic order. */
export interface ScannedInputs {
  readonly paths: string[];
  readonly mtimes: number[];
  readonly sizes: number[];
}

/**
 * What the incremental compile needs from the previous full compile: stamps of every input file,
 * the parse-pass signature of every template file, and where each node sits in manifest.json.
 * Lives in `<target>/.mdl-cache/snapshot.json`; holds hashes only (no var or env values).
 */
export interface CompileSnapshot {
  readonly version: number;
  /** Hash of mdl version, project dir, --target and --vars. */
  readonly key: string;
  /** Epoch ms when the input scan began (stamps at or after it - 100 ms are re-hashed: racy). */
  readonly scannedAt: number;
  /** Env vars read by the compile → sha256 of the value ('' = unset). */
  readonly env: Readonly<Record<string, string>>;
  /** Project-relative folders scanned (model/seed/snapshot/test/macro paths). */
  readonly roots: readonly string[];
  /** project.yml, the targets file and selectors.yml ('' hash stamp when absent). */
  readonly fixed: readonly string[];
  readonly files: FileStamps;
  /** `[ino, mtimeMs, size]` of manifest.json as written: any other writer invalidates. */
  readonly manifestStamp: readonly [number, number, number];
  /** UTF-8 byte ranges in manifest.json (nodes: all but generic tests, which never change here). */
  readonly manifest: {
    readonly length: number;
    readonly metadata: readonly [number, number];
    readonly ids: readonly string[];
    readonly starts: readonly number[];
    readonly ends: readonly number[];
  };
  /** The summary line counts (`10 models, 0 snapshots, …`). */
  readonly summary: string;
}

export const SNAPSHOT_VERSION = 3;

/** Path of the snapshot file. */
export function snapshotFile(targetPath: string): string {
  return path.join(targetPath, '.mdl-cache', 'snapshot.json');
}

/** Loads the snapshot, or undefined when missing/corrupt/another version. */
export function loadSnapshot(targetPath: string): CompileSnapshot | undefined {
  try {
    const s = JSON.parse(fs.readFileSync(snapshotFile(targetPath), 'utf8')) as CompileSnapshot;
    return s.version === SNAPSHOT_VERSION ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the snapshot atomically. */
export function saveSnapshot(targetPath: string, s: CompileSnapshot): void {
  const file = snapshotFile(targetPath);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(s));
  fs.renameSync(tmp, file);
}

/** Signature of a parse-pass result: equal signatures ⇒ same deps, config and macros. */
export function parseSignature(p: ParsedTemplate): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        p.refs,
        p.sources,
        p.config,
        p.macros,
        p.calledIsIncremental,
        p.needsResolve,
        Object.keys(p.env),
      ]),
    )
    .digest('base64')
    .slice(0, 24);
}

/** Key of everything outside the files that a compile depends on. */
export function snapshotKey(
  mdlVersion: string,
  projectDir: string,
  targetName: string | undefined,
  vars: Readonly<Record<string, unknown>>,
): string {
  return sha256(JSON.stringify([mdlVersion, codeStamp(), projectDir, targetName ?? null, vars]));
}

/** mtime of the running compiler code: a rebuilt mdl never splices into an older manifest. */
function codeStamp(): number {
  try {
    return fs.statSync(fileURLToPath(import.meta.url)).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Every non-hidden file under `roots` (project-relative POSIX paths, sorted per folder) with its
 * mtime and size, then the `fixed` files that exist. Stat-only: contents are read by the caller
 * when a stamp differs.
 */
export function scanInputs(
  projectDir: string,
  roots: readonly string[],
  fixed: readonly string[],
): ScannedInputs {
  const out: ScannedInputs = { paths: [], mtimes: [], sizes: [] };
  const seen = new Set<string>();
  const base = path.resolve(projectDir);
  const add = (rel: string, st: fs.Stats): void => {
    seen.add(rel);
    out.paths.push(rel);
    out.mtimes.push(st.mtimeMs);
    out.sizes.push(st.size);
  };
  const walk = (rel: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(rel === '' ? base : `${base}/${rel}`, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      // Plain concatenation: path.join per file showed up in profiles of 10k-file projects.
      else if (!seen.has(child)) add(child, fs.statSync(`${base}/${child}`));
    }
  };
  for (const r of roots) walk(r);
  for (const f of fixed) {
    if (seen.has(f)) continue;
    try {
      add(f, fs.statSync(path.join(base, f)));
    } catch {
      // absent (selectors.yml is optional): recorded by its absence
    }
  }
  return out;
}

/** `str` with fixed-width cells replaced (cell index → new text of exactly `width` chars). */
export function replaceCells(
  str: string,
  width: number,
  cells: ReadonlyMap<number, string>,
): string {
  if (cells.size === 0) return str;
  const parts: string[] = [];
  let at = 0;
  for (const i of [...cells.keys()].sort((a, b) => a - b)) {
    parts.push(str.slice(at, i * width), cells.get(i)!);
    at = (i + 1) * width;
  }
  parts.push(str.slice(at));
  return parts.join('');
}

/** Records env reads of a compile (to validate them next time). */
export function recordingEnv(
  env: Readonly<Record<string, string | undefined>>,
  seen: Set<string>,
): Readonly<Record<string, string | undefined>> {
  return new Proxy(env, {
    get(t, k) {
      if (typeof k === 'string') seen.add(k);
      return t[k as string];
    },
    has(t, k) {
      if (typeof k === 'string') seen.add(k);
      return k in t;
    },
    ownKeys(t) {
      // Enumerating the environment makes the compile depend on all of it.
      for (const k of Object.keys(t)) seen.add(k);
      return Reflect.ownKeys(t);
    },
  });
}

/** sha256 of each recorded env var ('' = unset). */
export function envHashes(
  env: Readonly<Record<string, string | undefined>>,
  names: Iterable<string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of [...names].sort()) {
    const v = env[n];
    out[n] = v === undefined ? '' : sha256(v);
  }
  return out;
}

/** What a full compile hands to {@link takeSnapshot}. */
export interface SnapshotInputs {
  readonly project: Project;
  readonly key: string;
  readonly scannedAt: number;
  /** Stats taken before the project was read. */
  readonly scan: ScannedInputs;
  readonly roots: readonly string[];
  readonly fixed: readonly string[];
  readonly envNames: Iterable<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly parsed: ReadonlyMap<string, ParsedTemplate>;
  readonly manifest: Manifest;
  readonly serialized: SerializedManifest;
  readonly summary: string;
}

/**
 * Snapshot of a successful full compile. Hashes of node files are the ones the compile used;
 * other files are read again and poisoned if they changed since the scan, so a file edited
 * during the compile is always seen as changed next time.
 */
export function takeSnapshot(i: SnapshotInputs): Omit<CompileSnapshot, 'manifestStamp'> {
  const used = new Map<string, string>();
  const p = i.project;
  for (const f of [...p.modelFiles, ...p.snapshotFiles, ...p.testFiles, ...p.macroFiles])
    used.set(f.path, f.hash);
  for (const f of p.seedFiles) used.set(f.path, f.hash);
  const kindOfFile = new Map<string, string>();
  const ids: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (const [id, r] of Object.entries(i.serialized.nodes)) {
    const n = i.manifest.nodes[id]!;
    if (n.resourceType === 'test' && n.testMetadata !== undefined) continue;
    ids.push(id);
    starts.push(r[0]);
    ends.push(r[1]);
    if (n.resourceType === 'model' || n.resourceType === 'snapshot' || n.resourceType === 'test')
      kindOfFile.set(n.originalFilePath, n.resourceType.charAt(0));
  }
  const hashes: string[] = [];
  const kinds: string[] = [];
  const sigs: string[] = [];
  const { paths, mtimes, sizes } = i.scan;
  paths.forEach((rel, k) => {
    let hash = used.get(rel);
    if (hash === undefined) {
      const abs = path.join(p.dir, rel);
      try {
        hash = sha256(fs.readFileSync(abs, 'utf8'));
        const now = fs.statSync(abs);
        if (now.mtimeMs !== mtimes[k] || now.size !== sizes[k]) hash = POISON;
      } catch {
        hash = POISON;
      }
    }
    hashes.push(hash);
    const parsed = i.parsed.get(rel);
    const kind = kindOfFile.get(rel);
    // Only templates whose stamp holds the hash the compile used, and that read no env var.
    if (
      parsed !== undefined &&
      kind !== undefined &&
      used.get(rel) === hash &&
      Object.keys(parsed.env).length === 0
    ) {
      kinds.push(kind);
      sigs.push(parseSignature(parsed));
    } else {
      kinds.push('-');
      sigs.push(NO_SIG);
    }
  });
  return {
    version: SNAPSHOT_VERSION,
    key: i.key,
    scannedAt: i.scannedAt,
    env: envHashes(i.env, i.envNames),
    roots: i.roots,
    fixed: i.fixed,
    files: {
      paths,
      mtimes,
      sizes,
      hashes: hashes.join(''),
      kinds: kinds.join(''),
      sigs: sigs.join(''),
    },
    manifest: {
      length: i.serialized.bytes,
      metadata: i.serialized.metadata,
      ids,
      starts,
      ends,
    },
    summary: i.summary,
  };
}

/** Removes the snapshot (after a compile that did not take one). */
export function dropSnapshot(targetPath: string): void {
  fs.rmSync(snapshotFile(targetPath), { force: true });
}
