/**
 * The ground truth of injected dirt: which source ids were dirtied and why, which were written
 * twice, which were deleted, and what each day changed. Written to `_truth/dirt.json` for the
 * tests ("the dirt is quarantined, and nothing else"); the models never read it.
 */

/** Tables the truth file talks about (silver names). */
export type TruthTable =
  | 'departments'
  | 'providers'
  | 'patients'
  | 'encounters'
  | 'transactions'
  | 'claims'
  | 'cpt_codes'
  | 'icd_codes'
  | 'npi';

/** `hos-a`, `hos-b`, or `ref` for code sets shared by both hospitals. */
export type TruthSource = 'hos-a' | 'hos-b' | 'ref';

type Nested<T> = Partial<Record<TruthTable, Partial<Record<TruthSource, T>>>>;

/** Per-day change counts and ids. */
export interface DayChanges {
  readonly day: number;
  readonly inserted: Nested<number>;
  readonly updated: Nested<string[]>;
  readonly deleted: Nested<string[]>;
}

/** The serialised truth file. */
export interface DirtTruth {
  readonly version: 1;
  readonly seed: number;
  readonly scale: number;
  readonly dirtRate: number;
  readonly lastDay: number;
  /** table → source → quarantine reason → source ids. */
  readonly quarantined: Nested<Record<string, string[]>>;
  /** table → source → ids written twice (deduplicated by silver, not quarantined). */
  readonly duplicates: Nested<string[]>;
  /** Rows generated per table/source over all days (distinct source ids, deletes included). */
  readonly generated: Nested<number>;
  readonly days: DayChanges[];
}

function slot<T>(root: Nested<T>, table: TruthTable, source: TruthSource, init: () => T): T {
  const bySource = (root[table] ??= {});
  return (bySource[source] ??= init());
}

/** Accumulates truth during generation; `toJSON` gives the file content. */
export class DirtLedger {
  private readonly truth: {
    quarantined: Nested<Record<string, string[]>>;
    duplicates: Nested<string[]>;
    generated: Nested<number>;
    days: DayChanges[];
  };
  private current: DayChanges;

  constructor(
    private readonly meta: { seed: number; scale: number; dirtRate: number },
    day: number,
    previous?: DirtTruth,
  ) {
    this.truth = {
      quarantined: previous?.quarantined ?? {},
      duplicates: previous?.duplicates ?? {},
      generated: previous?.generated ?? {},
      days: previous?.days ?? [],
    };
    this.current = { day, inserted: {}, updated: {}, deleted: {} };
  }

  /** A newly generated clean or dirty row (counts distinct ids). */
  inserted(table: TruthTable, source: TruthSource, count = 1): void {
    const g = this.truth.generated;
    const bySource = (g[table] ??= {});
    bySource[source] = (bySource[source] ?? 0) + count;
    const ins = this.current.inserted;
    const today = (ins[table] ??= {});
    today[source] = (today[source] ?? 0) + count;
  }

  quarantined(table: TruthTable, source: TruthSource, reason: string, id: string): void {
    const byReason = slot(
      this.truth.quarantined,
      table,
      source,
      (): Record<string, string[]> => ({}),
    );
    (byReason[reason] ??= []).push(id);
  }

  duplicated(table: TruthTable, source: TruthSource, id: string): void {
    slot(this.truth.duplicates, table, source, () => []).push(id);
  }

  updated(table: TruthTable, source: TruthSource, id: string): void {
    slot(this.current.updated, table, source, () => []).push(id);
  }

  deleted(table: TruthTable, source: TruthSource, id: string): void {
    slot(this.current.deleted, table, source, () => []).push(id);
  }

  toJSON(): DirtTruth {
    return {
      version: 1,
      seed: this.meta.seed,
      scale: this.meta.scale,
      dirtRate: this.meta.dirtRate,
      lastDay: this.current.day,
      quarantined: this.truth.quarantined,
      duplicates: this.truth.duplicates,
      generated: this.truth.generated,
      days: [...this.truth.days, this.current],
    };
  }
}

/** Every id the truth marks as dirty or duplicated for a table/source (left alone by updates). */
export function untouchableIds(
  truth: DirtTruth,
  table: TruthTable,
  source: TruthSource,
): Set<string> {
  const out = new Set<string>();
  for (const ids of Object.values(truth.quarantined[table]?.[source] ?? {}))
    for (const id of ids) out.add(id);
  for (const id of truth.duplicates[table]?.[source] ?? []) out.add(id);
  return out;
}
