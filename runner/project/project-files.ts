import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProjectFile } from './types.js';
import { THREAD_MODULES, canOffload, runOffThread } from '../util/off-thread.js';
import type { ThreadModules } from '../util/off-thread.js';

/** sha256 hex of a string. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Relative POSIX paths of files under `relDir` (inside `projectDir`) whose names end with one of
 * `exts`, sorted. Hidden entries (dot files) are skipped; a missing folder yields nothing.
 */
export function listFiles(projectDir: string, relDir: string, exts: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(projectDir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else if (e.isFile() && exts.some((x) => e.name.endsWith(x))) out.push(child);
    }
  };
  walk(relDir.replace(/\\/g, '/').replace(/\/+$/, ''));
  return out.sort();
}

/**
 * Reads files (paths relative to `dir`) with their sha256 content hashes. Self-contained, so it
 * also runs on a worker thread (see {@link readProjectFiles}).
 */
function readWithHashes(
  { fs: fsm, path: pathm, crypto }: ThreadModules,
  job: { readonly dir: string; readonly rels: readonly string[] },
): ProjectFile[] {
  return job.rels.map((rel) => {
    const content = fsm.readFileSync(pathm.join(job.dir, rel), 'utf8');
    return { path: rel, content, hash: crypto.createHash('sha256').update(content).digest('hex') };
  });
}

/** Reads a project file with its content hash. */
export function readProjectFile(projectDir: string, rel: string): ProjectFile {
  return readWithHashes(THREAD_MODULES, { dir: projectDir, rels: [rel] })[0]!;
}

/** Above this many files, reading them on a worker thread pays for its ~20 ms start-up. */
const THREAD_MIN_FILES = 1000;

/**
 * Reads project files with their content hashes, in order. Many files are read on a worker
 * thread, so a caller can start this, do other work (parse YAML) and await the files later.
 */
export function readProjectFiles(
  projectDir: string,
  rels: readonly string[],
): Promise<ProjectFile[]> {
  return runOffThread(
    readWithHashes,
    { dir: projectDir, rels },
    rels.length >= THREAD_MIN_FILES && canOffload(),
  );
}
