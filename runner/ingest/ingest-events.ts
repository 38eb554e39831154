/** Progress of `mdl ingest`, one event at a time (the CLI renders them; tests observe them). */

/** Events of one table or file. `id` is `<datasource>.<table>` or the landing file name. */
export type IngestEvent =
  | { readonly type: 'start'; readonly id: string; readonly loadId: string }
  | {
      readonly type: 'watermark';
      readonly id: string;
      readonly column: string;
      readonly old?: string;
      readonly captured?: string;
    }
  | { readonly type: 'progress'; readonly id: string; readonly rows: number }
  | {
      readonly type: 'committed';
      readonly id: string;
      readonly rows: number;
      readonly folder: string;
    }
  | {
      /** Incremental loads: the key list landed (`keys`), or none when `columns` is empty. */
      readonly type: 'keys';
      readonly id: string;
      readonly columns: readonly string[];
      readonly keys?: number;
    }
  | { readonly type: 'skipped'; readonly id: string; readonly reason: string }
  | { readonly type: 'failed'; readonly id: string; readonly error: string };

/** Listener; may be async (it is awaited, so a slow listener applies backpressure). */
export type IngestListener = (event: IngestEvent) => void | Promise<void>;
