import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProjectFile } from './types.js';

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

/** Reads a project file with its content hash. */
export function readProjectFile(projectDir: string, rel: string): ProjectFile {
  const content = fs.readFileSync(path.join(projectDir, rel), 'utf8');
  return { path: rel, content, hash: sha256(content) };
}
