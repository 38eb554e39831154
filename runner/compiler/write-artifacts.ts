import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Manifest, ManifestNode } from './manifest.js';

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
  if (typeof text === 'string') fs.writeFileSync(tmp, text);
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
  }
  fs.renameSync(tmp, file);
  return file;
}

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

/**
 * Writes compiled SQL for every node under `<targetPath>/compiled/`, skipping files whose content
 * is unchanged since the last write (an index of content hashes in `.mdl-cache/`), so a
 * one-file change rewrites one file.
 * Returns the number of files written.
 */
export async function writeCompiledSql(manifest: Manifest, targetPath: string): Promise<number> {
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
  const next: Record<string, string> = {};
  const todo: { file: string; text: string }[] = [];
  for (const node of Object.values(manifest.nodes)) {
    const rel = compiledPathOf(node);
    const text = compiledFileText(node);
    if (rel === undefined || text === undefined) continue;
    const hash = createHash('sha1').update(text).digest('base64');
    next[rel] = hash;
    if (prev[rel] !== hash) todo.push({ file: path.join(root, rel), text });
  }
  const dirs = new Set(todo.map((t) => path.dirname(t.file)));
  for (const d of dirs) fs.mkdirSync(d, { recursive: true });
  // Synchronous writes: measured cheaper in CPU (and wall) than many concurrent async writes.
  await Promise.resolve();
  for (const t of todo) fs.writeFileSync(t.file, t.text);
  // Files of nodes that no longer exist are removed so compiled/ mirrors the project.
  for (const rel of Object.keys(prev))
    if (next[rel] === undefined) fs.rmSync(path.join(root, rel), { force: true });
  fs.mkdirSync(path.dirname(indexFile), { recursive: true });
  fs.writeFileSync(indexFile, JSON.stringify(next));
  return todo.length;
}
