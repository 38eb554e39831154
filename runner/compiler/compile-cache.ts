import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RecordedRef, RecordedSource } from './render-scope.js';

/** Parse-pass output of one template: cacheable plain data (relations are placeholders). */
export interface ParsedTemplate {
  readonly sql: string;
  readonly incrementalSql?: string;
  readonly refs: readonly RecordedRef[];
  readonly sources: readonly RecordedSource[];
  readonly config: Readonly<Record<string, unknown>>;
  readonly macros: readonly string[];
  readonly calledIsIncremental: boolean;
  readonly needsResolve: boolean;
  /** env var name → sha256 of the value seen ('' = unset): a changed value invalidates. */
  readonly env: Readonly<Record<string, string>>;
}

interface CacheFile {
  readonly version: number;
  readonly key: string;
  readonly entries: Record<string, { readonly hash: string; readonly parsed: ParsedTemplate }>;
}

const VERSION = 1;

/**
 * The compile cache in `<target>/.mdl-cache/compile.json`: parse-pass results per file, valid
 * while the file's content hash and the global key (macros, vars, target, project vars) match.
 * The render pass (relation names, ephemeral CTEs, tests) always runs, so a config change in
 * another file is never served stale. Holds no var or env values (only hashes).
 */
export class CompileCache {
  private readonly next: Record<string, { hash: string; parsed: ParsedTemplate }> = {};
  private dirty = false;
  private hits = 0;

  private constructor(
    private readonly file: string,
    private readonly key: string,
    private readonly prev: CacheFile['entries'],
  ) {}

  /** Loads the cache (or starts empty when missing, corrupt, or for another key). */
  static load(targetPath: string, key: string): CompileCache {
    const file = path.join(targetPath, '.mdl-cache', 'compile.json');
    let prev: CacheFile['entries'] = {};
    try {
      const data = JSON.parse(fs.readFileSync(file, 'utf8')) as CacheFile;
      if (data.version === VERSION && data.key === key) prev = data.entries;
    } catch {
      // no cache yet, or unreadable: a cold compile
    }
    return new CompileCache(file, key, prev);
  }

  /** A cached parse result for `filePath` with content `hash`, if still valid under `env`. */
  get(
    filePath: string,
    hash: string,
    envHash: (name: string) => string,
  ): ParsedTemplate | undefined {
    const e = this.prev[filePath];
    if (e?.hash !== hash) return undefined;
    for (const [name, h] of Object.entries(e.parsed.env)) if (envHash(name) !== h) return undefined;
    this.next[filePath] = e;
    this.hits++;
    return e.parsed;
  }

  set(filePath: string, hash: string, parsed: ParsedTemplate): void {
    this.next[filePath] = { hash, parsed };
    this.dirty = true;
  }

  /** Number of cache hits so far. */
  get hitCount(): number {
    return this.hits;
  }

  /** Writes the cache when anything changed (entries of deleted files are dropped). */
  save(): void {
    if (!this.dirty && Object.keys(this.next).length === Object.keys(this.prev).length) return;
    const data: CacheFile = { version: VERSION, key: this.key, entries: this.next };
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(data));
    fs.renameSync(tmp, this.file);
  }
}
