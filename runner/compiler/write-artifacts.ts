import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Manifest, ManifestNode } from './manifest.js';
import { canOffload, runOffThread, THREAD_MODULES } from '../util/off-thread.js';
import type { ThreadModules } from '../util/off-thread.js';
import { writeFilesInBackground } from './write-files.js';
import type { FileToWrite } from './write-files.js';

/** manifest.json text plus where each node's JSON (and the metadata) sits in it. */
export interface SerializedManifest {
  readonly text: string;
  /** UTF-8 byte length of `text`. */
  readonly bytes: number;
  /** `[start, end)` UTF-8 byte offsets of the metadata object. */
  readonly metadata: readonly [number, number];
  /** `[start, end)` UTF-8 byte offsets of each node's JSON object (its value in `nodes`). */
  readonly nodes: Readonly<Record<string, readonly [number, number]>>;
}

/**
 * `JSON.stringify(manifest)` (same text, same key order), recording node positions so the
 * incremental compile can splice changed nodes into the previous file instead of re-serialising.
 */
export function serializeManifest(manifest: Manifest): SerializedManifest {
  const parts: string[] = [];
  // Positions in UTF-16 units first (cheap); converted to bytes only if the text is not ASCII.
  const ranges: [string, number, number, number][] = []; // id, part index, start, end
  let pos = 0;
  const push = (t: string): void => {
    parts.push(t);
    pos += t.length;
  };
  const keys = Object.keys(manifest) as (keyof Manifest)[];
  let metaPart = -1;
  push('{');
  keys.forEach((key, i) => {
    push(`${i === 0 ? '' : ','}${JSON.stringify(key)}:`);
    if (key === 'metadata') {
      metaPart = parts.length;
      push(JSON.stringify(manifest.metadata));
    } else if (key === 'nodes') {
      push('{');
      let first = true;
      for (const [id, node] of Object.entries(manifest.nodes)) {
        push(`${first ? '' : ','}${JSON.stringify(id)}:`);
        const start = pos;
        push(JSON.stringify(node));
        ranges.push([id, parts.length - 1, start, pos]);
        first = false;
      }
      push('}');
    } else push(JSON.stringify(manifest[key]));
  });
  push('}');
  const text = parts.join('');
  const bytes = Buffer.byteLength(text);
  const nodes: Record<string, readonly [number, number]> = {};
  let metadata: readonly [number, number];
  if (bytes === text.length) {
    for (const [id, , a, b] of ranges) nodes[id] = [a, b];
    let at = 0;
    for (let k = 0; k < metaPart; k++) at += parts[k]!.length;
    metadata = [at, at + parts[metaPart]!.length];
  } else {
    const startOf: number[] = [];
    let at = 0;
    for (const p of parts) {
      startOf.push(at);
      at += Buffer.byteLength(p);
    }
    startOf.push(at);
    for (const [id, k] of ranges) nodes[id] = [startOf[k]!, startOf[k + 1]!];
    metadata = [startOf[metaPart]!, startOf[metaPart + 1]!];
  }
  return { text, bytes, metadata, nodes };
}

/**
 * Writes manifest.json atomically (temp file + rename) from a string or from buffers written in
 * order (the incremental compile's spliced file). Returns its path.
 */
export function writeManifestText(
  text: string | readonly Uint8Array[],
  targetPath: string,
): string {
  fs.mkdirSync(targetPath, { recursive: true });
  const file = path.join(targetPath, 'manifest.json');
  const tmp = `${file}.${process.pid}.tmp`;
  if (typeof text === 'string') writeAtomically(THREAD_MODULES, { file, tmp, text });
  else {
    const fd = fs.openSync(tmp, 'w');
    try {
      for (const b of text) {
        let off = 0;
        while (off < b.length) off += fs.writeSync(fd, b, off, b.length - off);
      }
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  }
  return file;
}

/** Writes `text` through a temp file and a rename. Self-contained: also runs on a worker thread. */
function writeAtomically(
  { fs: fsm }: ThreadModules,
  job: { readonly file: string; readonly tmp: string; readonly text: string },
): void {
  fsm.writeFileSync(job.tmp, job.text);
  fsm.renameSync(job.tmp, job.file);
}

/**
 * {@link writeManifestText} of a string on a worker thread (22 MB at 10,000 models: ~50 ms of
 * kernel time), so the caller can go on and await the path when it needs the file.
 */
export async function writeManifestInBackground(text: string, targetPath: string): Promise<string> {
  fs.mkdirSync(targetPath, { recursive: true });
  const file = path.join(targetPath, 'manifest.json');
  const job = { file, tmp: `${file}.${process.pid}.tmp`, text };
  await runOffThread(writeAtomically, job, text.length >= THREAD_MIN_BYTES && canOffload());
  return file;
}

/** Below this size a manifest is written on the calling thread (a thread starts in ~20 ms). */
const THREAD_MIN_BYTES = 4 * 1024 * 1024;

/** Writes `<targetPath>/manifest.json` atomically (temp file + rename). Returns its path. */
export function writeManifest(manifest: Manifest, targetPath: string): string {
  return writeManifestText(JSON.stringify(manifest), targetPath);
}

/** Relative path of a node's compiled SQL under `<target>/compiled/`. */
export function compiledPathOf(node: ManifestNode): string | undefined {
  switch (node.resourceType) {
    case 'model':
    case 'snapshot':
      return node.originalFilePath;
    case 'test':
      // Generic tests (often 2–3 per model) live in manifest.json only: writing tens of
      // thousands of tiny files dominated cold compiles. `mdl compile -s <test>` prints one.
      return node.testMetadata === undefined ? node.originalFilePath : undefined;
    case 'seed':
    case 'source':
      return undefined;
  }
}

/** The SQL file text for a node: ephemeral CTEs inlined in front of the SELECT. */
export function compiledFileText(node: ManifestNode): string | undefined {
  if (!('compiledSql' in node)) return undefined;
  const incremental =
    node.resourceType === 'model' && node.incrementalSql !== undefined
      ? `\n\n-- when is_incremental():\n${node.incrementalSql}`
      : '';
  if (node.ctes.length === 0) return `${node.compiledSql}${incremental}\n`;
  const ctes = node.ctes.map((c) => `${c.name} as (\n${c.sql}\n)`).join(',\n');
  // A SELECT that has its own WITH continues the same WITH list.
  const own = /^\s*with\s/i.exec(node.compiledSql);
  const body =
    own === null ? `\n${node.compiledSql}` : `,\n${node.compiledSql.slice(own[0].length)}`;
  return `with ${ctes}${body}${incremental}\n`;
}

/** A compiled SQL file: path relative to `<target>/compiled/` and its text. */
export interface CompiledFile {
  readonly rel: string;
  readonly text: string;
}

/** The compiled SQL files of a manifest's nodes. */
export function compiledFilesOf(manifest: Manifest): CompiledFile[] {
  const out: CompiledFile[] = [];
  for (const node of Object.values(manifest.nodes)) {
    const rel = compiledPathOf(node);
    const text = compiledFileText(node);
    if (rel !== undefined && text !== undefined) out.push({ rel, text });
  }
  return out;
}

/**
 * Writes compiled SQL files under `<targetPath>/compiled/`, skipping files whose content is
 * unchanged since the last write (content hashes in `.mdl-cache/compiled-index.json`), so a
 * one-file change rewrites one file. `complete`: `files` are all of the project's, so files of
 * nodes that no longer exist are removed and compiled/ mirrors the project. Many files are
 * written on a worker thread: the work before the first await (hashing, handing the files over)
 * is synchronous, so a caller can start this, do other work, and await it later.
 * Returns the number of files written.
 */
export async function writeCompiledFiles(
  targetPath: string,
  files: readonly CompiledFile[],
  complete: boolean,
): Promise<number> {
  const root = path.join(targetPath, 'compiled');
  const indexFile = path.join(targetPath, '.mdl-cache', 'compiled-index.json');
  let prev: Record<string, string> = {};
  try {
    // A deleted compiled/ folder invalidates the index (one stat instead of one per file).
    if (fs.existsSync(root))
      prev = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as Record<string, string>;
  } catch {
    prev = {};
  }
  const next: Record<string, string> = complete ? {} : { ...prev };
  const todo: FileToWrite[] = [];
  for (const f of files) {
    const hash = createHash('sha1').update(f.text).digest('base64');
    next[f.rel] = hash;
    if (prev[f.rel] !== hash) todo.push({ file: path.join(root, f.rel), text: f.text });
  }
  if (todo.length === 0 && !complete) return 0;
  // No index while files change: an interrupted write then makes the next compile rewrite all.
  if (todo.length > 0) fs.rmSync(indexFile, { force: true });
  await writeFilesInBackground(todo);
  if (complete)
    for (const rel of Object.keys(prev))
      if (next[rel] === undefined) fs.rmSync(path.join(root, rel), { force: true });
  fs.mkdirSync(path.dirname(indexFile), { recursive: true });
  fs.writeFileSync(indexFile, JSON.stringify(next));
  return todo.length;
}

/** Writes compiled SQL for every node of `manifest` (see {@link writeCompiledFiles}). */
export function writeCompiledSql(manifest: Manifest, targetPath: string): Promise<number> {
  return writeCompiledFiles(targetPath, compiledFilesOf(manifest), true);
}
