import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getDialect } from '../dialects/registry.js';
import { Diagnostics } from '../errors/diagnostics.js';
import { loadProjectHead } from '../project/load-project.js';
import type { ProjectHead } from '../project/load-project.js';
import { readProjectFile, sha256 } from '../project/project-files.js';
import type { ProjectFile } from '../project/types.js';
import { stemOf } from './compile-context.js';
import { MDL_VERSION, templateTargetOf } from './compile-project.js';
import {
  envHashes,
  HASH_WIDTH,
  KIND_OF,
  loadSnapshot,
  parseSignature,
  replaceCells,
  saveSnapshot,
  scanInputs,
  SIG_WIDTH,
  snapshotKey,
} from './compile-snapshot.js';
import type { CompileSnapshot, FileStamps } from './compile-snapshot.js';
import type { Manifest, ManifestNode } from './manifest.js';
import { parseTemplateFile, renderParsedFile } from './parse-template.js';
import { RelationValue } from './relation-value.js';
import type { PlaceholderRef } from './relation-value.js';
import { TemplateEngine } from './template-engine.js';
import { compiledFileText, compiledPathOf, writeCompiledFiles } from './write-artifacts.js';
import type { CompiledFile } from './write-artifacts.js';

/** Inputs of {@link tryIncrementalCompile} (what the full compile would be called with). */
export interface IncrementalOptions {
  readonly projectDir: string;
  readonly targetName?: string;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** What an incremental compile did. */
export interface IncrementalResult {
  readonly manifestFile: string;
  readonly summary: string;
  readonly targetName: string;
  /** Template files re-rendered. */
  readonly changed: number;
  /** Compiled SQL files written. */
  readonly written: number;
}

/**
 * Stamps younger than this before the previous scan are re-hashed: an edit right after the scan
 * may keep mtime (coarse fs clock, ≤ 1 jiffy behind Date.now()) and size.
 */
const RACY_MS = 100;

/**
 * Recompiles without loading the whole project when the previous full compile's snapshot
 * (`.mdl-cache/snapshot.json`) proves that only model/snapshot/singular-test SQL files changed
 * and that their parse pass gives the same refs, sources, config and macros. Then only those
 * nodes are re-rendered and spliced into the previous manifest.json (whose other bytes a full
 * compile would reproduce exactly). Returns undefined — and changes nothing — whenever that
 * cannot be proven (any YAML/macro/project/targets/seed change, added or removed files, other
 * --vars/--target/env, an ephemeral model changed, any error): the caller then compiles fully.
 */
export async function tryIncrementalCompile(
  opts: IncrementalOptions,
): Promise<IncrementalResult | undefined> {
  const scannedAt = Date.now();
  let head: ProjectHead;
  try {
    head = loadProjectHead({
      projectDir: opts.projectDir,
      ...(opts.targetName === undefined ? {} : { targetName: opts.targetName }),
      env: opts.env,
    });
  } catch {
    return undefined; // the full compile reports it
  }
  const snap = loadSnapshot(head.targetPath);
  if (snap === undefined) return undefined;
  if (snap.key !== snapshotKey(MDL_VERSION, head.dir, opts.targetName, opts.vars)) return undefined;
  const env = envHashes(opts.env, Object.keys(snap.env));
  for (const [k, h] of Object.entries(snap.env)) if (env[k] !== h) return undefined;
  const manifestPath = path.join(head.targetPath, 'manifest.json');
  const compiledRoot = path.join(head.targetPath, 'compiled');
  const manifestStat = statOrUndefined(manifestPath);
  if (manifestStat === undefined || !stampEquals(snap.manifestStamp, manifestStat))
    return undefined;
  if (!fs.existsSync(compiledRoot)) return undefined;

  // Which inputs changed (stat first, content hash only when the stat differs).
  const scan = scanInputs(head.dir, snap.roots, snap.fixed);
  const f = snap.files;
  if (scan.paths.length !== f.paths.length) return undefined;
  const newHashes = new Map<number, string>();
  const changed: { file: ProjectFile; id: string; sig: string }[] = [];
  const racyBefore = snap.scannedAt - RACY_MS;
  for (let i = 0; i < scan.paths.length; i++) {
    const rel = scan.paths[i]!;
    if (rel !== f.paths[i]) return undefined; // a file was added, removed or renamed
    const mtime = scan.mtimes[i]!;
    if (mtime === f.mtimes[i] && scan.sizes[i] === f.sizes[i] && mtime < racyBefore) continue;
    const file = readProjectFile(head.dir, rel);
    const prevHash = f.hashes.slice(i * HASH_WIDTH, (i + 1) * HASH_WIDTH);
    if (file.hash === prevHash) continue;
    const kind = KIND_OF[f.kinds.charAt(i)];
    if (kind === undefined) return undefined; // not a cacheable template file
    newHashes.set(i, file.hash);
    changed.push({
      file,
      id: `${kind}.${head.name}.${stemOf(rel)}`,
      sig: f.sigs.slice(i * SIG_WIDTH, (i + 1) * SIG_WIDTH),
    });
  }
  const files: FileStamps = {
    ...f,
    mtimes: scan.mtimes,
    sizes: scan.sizes,
    hashes: replaceCells(f.hashes, HASH_WIDTH, newHashes),
  };

  // The previous manifest is read by ranges (never whole: 18 MB at 10k models).
  if (manifestStat.size !== snap.manifest.length) return undefined;
  const fd = fs.openSync(manifestPath, 'r');
  try {
    return await spliceCompile(opts, head, snap, fd, scannedAt, files, changed);
  } finally {
    fs.closeSync(fd);
  }
}

/** Second half of {@link tryIncrementalCompile}: re-render `changed`, splice, write. */
async function spliceCompile(
  opts: IncrementalOptions,
  head: ProjectHead,
  snap: CompileSnapshot,
  fd: number,
  scannedAt: number,
  files: FileStamps,
  changed: readonly { file: ProjectFile; id: string; sig: string }[],
): Promise<IncrementalResult | undefined> {
  const m = snap.manifest;
  const rangeOf = (id: string): readonly [number, number] | undefined => {
    const k = m.ids.indexOf(id);
    return k < 0 ? undefined : [m.starts[k]!, m.ends[k]!];
  };
  const readRange = (r: readonly [number, number]): string => {
    const b = Buffer.allocUnsafe(r[1] - r[0]);
    let off = 0;
    while (off < b.length) {
      const n = fs.readSync(fd, b, off, b.length - off, r[0] + off);
      if (n === 0) break;
      off += n;
    }
    return b.toString('utf8', 0, off);
  };
  const edits: { range: readonly [number, number]; json: Buffer }[] = [];
  const compiledFiles: CompiledFile[] = [];
  if (changed.length > 0) {
    const target = head.targets.targets[opts.targetName ?? head.targets.defaultTarget];
    if (target === undefined) return undefined;
    const dialect = getDialect(target.type);
    const diagnostics = new Diagnostics();
    const macroFiles = macroFilesOf(head, snap);
    const engine = new TemplateEngine(
      {
        projectName: head.name,
        macroFiles,
        projectVars: head.vars,
        cliVars: opts.vars,
        env: opts.env,
        target: templateTargetOf(target),
        dialect,
      },
      diagnostics,
    );
    if (diagnostics.size > 0) return undefined;
    const nodeAt = (id: string): ManifestNode | undefined => {
      const r = rangeOf(id);
      return r === undefined ? undefined : (JSON.parse(readRange(r)) as ManifestNode);
    };
    const relationValue = (n: ManifestNode | undefined): RelationValue | undefined => {
      if (n === undefined || !('relation' in n)) return undefined;
      const rel = n.relation;
      const ephemeral =
        (n.resourceType === 'model' || n.resourceType === 'snapshot') &&
        n.config.materialized === 'ephemeral';
      return new RelationValue(
        rel,
        ephemeral ? `__mdl_ephemeral__${n.name}` : dialect.relation(rel),
      );
    };
    for (const { file, id, sig } of changed) {
      const res = parseTemplateFile(engine, file, undefined, opts.env);
      if (res.file === undefined || res.problems.length > 0) return undefined;
      if (parseSignature(res.file.parsed) !== sig) return undefined;
      const old = nodeAt(id);
      if (old === undefined || !('compiledSql' in old)) return undefined;
      if (old.resourceType !== 'test' && old.config.materialized === 'ephemeral') return undefined;
      const resolve = (p: PlaceholderRef): RelationValue | undefined => {
        if (p.kind === 'this') return relationValue(old);
        if (p.kind === 'source')
          return relationValue(nodeAt(`source.${head.name}.${p.source}.${p.table}`));
        if (p.pkg !== undefined && p.pkg !== head.name) return undefined;
        for (const kind of ['model', 'snapshot', 'seed']) {
          const n = nodeAt(`${kind}.${head.name}.${p.name}`);
          if (n !== undefined) return relationValue(n);
        }
        return undefined;
      };
      const r = renderParsedFile(engine, res.file, resolve);
      if (r.problems.length > 0) return undefined;
      const hasInc = old.resourceType === 'model' && old.incrementalSql !== undefined;
      if (hasInc !== (r.incrementalSql !== undefined && old.resourceType === 'model'))
        return undefined;
      const node: ManifestNode = {
        ...old,
        rawSql: file.content,
        compiledSql: r.sql.trim(),
        checksum: sha256(`${file.hash}\u0000${JSON.stringify(old.config)}`),
        ...(hasInc ? { incrementalSql: r.incrementalSql!.trim() } : {}),
      };
      edits.push({ range: rangeOf(id)!, json: Buffer.from(JSON.stringify(node)) });
      const rel = compiledPathOf(node);
      const sql = compiledFileText(node);
      if (rel !== undefined && sql !== undefined) compiledFiles.push({ rel, text: sql });
    }
  }

  // Splice: fresh metadata (new invocation) and the re-rendered nodes; shift the other ranges.
  const meta = JSON.parse(readRange(snap.manifest.metadata)) as Manifest['metadata'];
  edits.push({
    range: snap.manifest.metadata,
    json: Buffer.from(
      JSON.stringify({
        ...meta,
        generatedAt: new Date().toISOString(),
        invocationId: randomUUID(),
      }),
    ),
  });
  edits.sort((a, b) => a.range[0] - b.range[0]);
  let length = snap.manifest.length;
  for (const e of edits) length += e.json.length - (e.range[1] - e.range[0]);
  const shift = (r: readonly [number, number]): readonly [number, number] => {
    let d = 0;
    for (const e of edits) {
      if (e.range[0] > r[0]) break;
      if (e.range[0] === r[0]) return [r[0] + d, r[0] + d + e.json.length];
      d += e.json.length - (e.range[1] - e.range[0]);
    }
    return [r[0] + d, r[1] + d];
  };
  const starts: number[] = [];
  const ends: number[] = [];
  for (let k = 0; k < m.ids.length; k++) {
    const r = shift([m.starts[k]!, m.ends[k]!]);
    starts.push(r[0]);
    ends.push(r[1]);
  }
  const manifestFile = writeSplicedManifest(head.targetPath, fd, snap.manifest.length, edits);
  const written = await writeCompiledFiles(head.targetPath, compiledFiles, false);
  saveSnapshot(head.targetPath, {
    ...snap,
    scannedAt,
    files,
    manifestStamp: stampOf(fs.statSync(manifestFile)),
    manifest: { length, metadata: shift(m.metadata), ids: m.ids, starts, ends },
  });
  return {
    manifestFile,
    summary: snap.summary,
    targetName: meta.target,
    changed: changed.length,
    written,
  };
}

/**
 * Writes manifest.json (temp file + rename) as the previous one (`src`) with `edits` applied,
 * copying the unchanged bytes through one 1 MB buffer.
 */
function writeSplicedManifest(
  targetPath: string,
  src: number,
  srcLength: number,
  edits: readonly { readonly range: readonly [number, number]; readonly json: Buffer }[],
): string {
  const file = path.join(targetPath, 'manifest.json');
  const tmp = `${file}.${process.pid}.tmp`;
  const out = fs.openSync(tmp, 'w');
  const chunk = Buffer.allocUnsafe(1 << 20);
  const writeAll = (b: Uint8Array, len: number): void => {
    let off = 0;
    while (off < len) off += fs.writeSync(out, b, off, len - off);
  };
  const copy = (from: number, to: number): void => {
    for (let pos = from; pos < to;) {
      const n = fs.readSync(src, chunk, 0, Math.min(chunk.length, to - pos), pos);
      if (n === 0) throw new Error('manifest.json shrank while being recompiled');
      writeAll(chunk, n);
      pos += n;
    }
  };
  try {
    let at = 0;
    for (const e of edits) {
      copy(at, e.range[0]);
      writeAll(e.json, e.json.length);
      at = e.range[1];
    }
    copy(at, srcLength);
  } finally {
    fs.closeSync(out);
  }
  fs.renameSync(tmp, file);
  return file;
}

/** Macro files in the order loadProject reads them (per macro path, sorted). */
function macroFilesOf(head: ProjectHead, snap: CompileSnapshot): ProjectFile[] {
  const all = snap.files.paths;
  return head.macroPaths.flatMap((root) =>
    all
      .filter(
        (f) =>
          (root === '' || f.startsWith(`${root}/`)) && (f.endsWith('.sql') || f.endsWith('.njk')),
      )
      .sort()
      .map((f) => readProjectFile(head.dir, f)),
  );
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

/** `[ino, mtimeMs, size]`: manifest.json as this compile left it (any rewrite changes it). */
export function stampOf(st: fs.Stats): readonly [number, number, number] {
  return [st.ino, st.mtimeMs, st.size];
}

function stampEquals(a: readonly [number, number, number], st: fs.Stats): boolean {
  const b = stampOf(st);
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
}
