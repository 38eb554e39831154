/**
 * `COPY (…) TO STDOUT` for node-postgres without an extra package: a minimal "submittable"
 * (the same protocol hooks pg-copy-streams uses) exposed as a Readable of CSV bytes, with
 * backpressure (the socket pauses while the consumer is behind). This is PostgreSQL's fastest
 * export path and the same one `psql \copy` uses.
 */
import { Readable } from 'node:stream';

interface PgConnection {
  query(text: string): void;
  readonly stream: { pause(): void; resume(): void };
}

const GATHER_BYTES = 1 << 20;

/** Pass to `client.query(new PgCopyOut(sql))`; read the CSV from the stream. */
export class PgCopyOut extends Readable {
  private connection: PgConnection | undefined;
  private paused = false;
  // PostgreSQL sends one CopyData message per row: gather them into ~1 MiB buffers so the
  // consumer handles a few hundred chunks, not millions.
  // (pg reuses its receive buffer, so each message is copied out at once.)
  private buf = Buffer.allocUnsafe(GATHER_BYTES);
  private used = 0;

  constructor(private readonly text: string) {
    super({ highWaterMark: 4 << 20 });
  }

  /** Called by pg when the query is sent (simple query protocol). */
  submit(connection: PgConnection): void {
    this.connection = connection;
    connection.query(this.text);
  }

  handleCopyData(msg: { readonly chunk: Buffer }): void {
    const chunk = msg.chunk;
    if (this.used + chunk.length > this.buf.length) this.flushGathered();
    if (chunk.length > this.buf.length) {
      this.pushOwned(Buffer.from(chunk));
      return;
    }
    chunk.copy(this.buf, this.used);
    this.used += chunk.length;
  }

  private flushGathered(): void {
    if (this.used === 0) return;
    const out = this.buf.subarray(0, this.used);
    this.buf = Buffer.allocUnsafe(GATHER_BYTES);
    this.used = 0;
    this.pushOwned(out);
  }

  private pushOwned(buf: Buffer): void {
    if (!this.push(buf) && !this.paused) {
      this.paused = true;
      this.connection?.stream.pause();
    }
  }

  override _read(): void {
    if (this.paused) {
      this.paused = false;
      this.connection?.stream.resume();
    }
  }

  handleCommandComplete(): void {
    // the end of data is signalled by ReadyForQuery
  }

  handleReadyForQuery(): void {
    if (this.destroyed) return;
    this.flushGathered();
    this.push(null);
  }

  handleError(err: Error): void {
    this.destroy(err);
  }
}

/**
 * Tracks CSV quote parity across chunks so a stream can be cut only between records
 * (a newline inside a quoted field is data, not a record end).
 */
export class CsvRecordCutter {
  private inQuotes = false;

  /**
   * Scans `chunk` and returns the offset just after the first record end at or after `from`,
   * or -1 if none; parity is carried across calls (every byte must be scanned exactly once).
   */
  scan(chunk: Buffer, wantCut: boolean): number {
    let i = 0;
    for (;;) {
      const q = chunk.indexOf(0x22, i);
      if (!this.inQuotes && wantCut) {
        const nl = chunk.indexOf(0x0a, i);
        if (nl >= 0 && (q < 0 || nl < q)) {
          // finish parity bookkeeping for the rest of the chunk after the cut
          this.rest(chunk, nl + 1);
          return nl + 1;
        }
      }
      if (q < 0) return -1;
      this.inQuotes = !this.inQuotes;
      i = q + 1;
    }
  }

  private rest(chunk: Buffer, from: number): void {
    let i = from;
    for (;;) {
      const q = chunk.indexOf(0x22, i);
      if (q < 0) return;
      this.inQuotes = !this.inQuotes;
      i = q + 1;
    }
  }
}
