/**
 * Streams one read of a source into a {@link ParquetSink}: PostgreSQL through `COPY … TO STDOUT`
 * CSV parts (part N converts while part N+1 streams), every other client through its cursor in
 * bounded batches. Shared by the data copy and the key-list copy of a load.
 */
import type { ParquetSink } from './parquet-sink.js';
import type { SourceReader } from './source-reader.js';
import type { ReadSpec } from './source-sql.js';

/** Batch sizes of one copy. */
export interface CopySizes {
  /** Rows fetched from the source per batch. */
  readonly batchSize: number;
  /** CSV part size of the PostgreSQL COPY fast path (bytes). */
  readonly csvPartBytes: number;
}

/** Converts CSV part N while part N+1 streams from the source (at most one conversion at a time). */
async function copyCsvParts(
  reader: SourceReader,
  spec: ReadSpec,
  staged: string,
  sink: ParquetSink,
  sizes: CopySizes,
  progress: (rows: number) => void | Promise<void>,
): Promise<void> {
  let pending: Promise<void> | undefined;
  try {
    for await (const csv of reader.csvParts(spec, staged, sizes.csvPartBytes)) {
      if (pending !== undefined) await pending;
      pending = sink.writeCsvPart(csv).then(() => progress(sink.rows));
    }
  } catch (err) {
    await pending?.catch(() => undefined);
    throw err;
  }
  await pending;
}

/**
 * Copies the rows of `spec` into `sink`; `staged` is the load's staging folder (CSV parts of the
 * PostgreSQL path live there briefly). `progress` receives the running row count.
 */
export async function copyRows(
  reader: SourceReader,
  spec: ReadSpec,
  staged: string,
  sink: ParquetSink,
  sizes: CopySizes,
  progress: (rows: number) => void | Promise<void> = () => undefined,
): Promise<void> {
  if (reader.supportsCsvCopy) {
    await copyCsvParts(reader, spec, staged, sink, sizes, progress);
    return;
  }
  for await (const batch of reader.read(spec, sizes.batchSize)) {
    await sink.write(batch);
    await progress(sink.rows);
  }
}
