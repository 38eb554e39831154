/**
 * A small synchronous, buffered CSV writer: rows stream to disk in ~1 MiB chunks, so a file of
 * millions of rows never sits in memory, and the output bytes are deterministic.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const FLUSH_AT = 1 << 20;

/** RFC 4180 quoting: quote a field only when it contains a comma, quote or line break. */
export function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = typeof v === 'number' ? String(v) : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Writes rows to one file; call `close()` when done. */
export class CsvWriter {
  private readonly fd: number;
  private buf: string[] = [];
  private size = 0;
  rows = 0;

  constructor(path: string, header: readonly string[]) {
    this.fd = openSync(path, 'w');
    this.push(header.map(csvField).join(','));
  }

  write(row: readonly (string | number | null)[]): void {
    this.push(row.map(csvField).join(','));
    this.rows++;
  }

  private push(line: string): void {
    this.buf.push(line);
    this.size += line.length + 1;
    if (this.size >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.buf.length === 0) return;
    writeSync(this.fd, `${this.buf.join('\n')}\n`);
    this.buf = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
