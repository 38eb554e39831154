import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileProperties } from './load-properties.js';

const VERSION = 1;

/**
 * Validated YAML properties per file content hash, in `<target>/.mdl-cache/properties.json`.
 * Parsing and validating thousands of property entries is the largest part of loading a big
 * project; a file whose hash is unchanged is taken from here. Files with problems are never
 * cached, so their errors are reported on every run.
 */
export class PropertiesCache {
  private readonly next: Record<string, FileProperties> = {};
  private dirty = false;

  private constructor(
    private readonly file: string,
    private readonly prev: Readonly<Record<string, FileProperties>>,
  ) {}

  static load(targetPath: string): PropertiesCache {
    const file = path.join(targetPath, '.mdl-cache', 'properties.json');
    let prev: Record<string, FileProperties> = {};
    try {
      const data = JSON.parse(fs.readFileSync(file, 'utf8')) as {
        version: number;
        entries: Record<string, FileProperties>;
      };
      if (data.version === VERSION) prev = data.entries;
    } catch {
      prev = {};
    }
    return new PropertiesCache(file, prev);
  }

  /** Key: path + content hash (origins carry the path). */
  get(relPath: string, hash: string): FileProperties | undefined {
    const key = `${relPath}:${hash}`;
    const hit = this.prev[key];
    if (hit !== undefined) this.next[key] = hit;
    return hit;
  }

  set(relPath: string, hash: string, props: FileProperties): void {
    this.next[`${relPath}:${hash}`] = props;
    this.dirty = true;
  }

  /** Writes the cache if anything changed (best effort: a read-only target is not an error). */
  save(): void {
    if (!this.dirty && Object.keys(this.next).length === Object.keys(this.prev).length) return;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ version: VERSION, entries: this.next }));
      fs.renameSync(tmp, this.file);
    } catch {
      // the cache is an optimisation only
    }
  }
}
