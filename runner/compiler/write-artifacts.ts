import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Manifest, ManifestNode } from './manifest.js';

/** Writes `<targetPath>/manifest.json` atomically (temp file + rename). Returns its path. */
export function writeManifest(manifest: Manifest, targetPath: string): string {
  fs.mkdirSync(targetPath, { recursive: true });
  const file = path.join(targetPath, 'manifest.json');
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(manifest));
  fs.renameSync(tmp, file);
  return file;
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
