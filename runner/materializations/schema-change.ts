import type { ColumnDef } from '../dialects/dialect.js';

/** Differences between the existing table and the new SELECT (names compared case-insensitively). */
export interface SchemaDiff {
  readonly added: readonly ColumnDef[];
  readonly removed: readonly ColumnDef[];
  readonly typeChanged: readonly {
    readonly name: string;
    readonly from: string;
    readonly to: string;
  }[];
  /** Existing column names (as the table spells them) that the SELECT also produces. */
  readonly common: readonly string[];
}

const norm = (t: string): string => t.replace(/\s+/g, '').toUpperCase();

/** Compares table columns with SELECT columns. */
export function diffColumns(
  existing: readonly ColumnDef[],
  incoming: readonly ColumnDef[],
): SchemaDiff {
  const inc = new Map(incoming.map((c) => [c.name.toLowerCase(), c]));
  const ex = new Map(existing.map((c) => [c.name.toLowerCase(), c]));
  const common: string[] = [];
  const typeChanged: { name: string; from: string; to: string }[] = [];
  const removed: ColumnDef[] = [];
  for (const c of existing) {
    const other = inc.get(c.name.toLowerCase());
    if (other === undefined) {
      removed.push(c);
      continue;
    }
    common.push(c.name);
    if (norm(other.type) !== norm(c.type))
      typeChanged.push({ name: c.name, from: c.type, to: other.type });
  }
  const added = incoming.filter((c) => !ex.has(c.name.toLowerCase()));
  return { added, removed, typeChanged, common };
}

/** `added a (INTEGER); removed b; type changed c (INTEGER → VARCHAR)`, for messages. */
export function describeDiff(d: SchemaDiff): string {
  const parts: string[] = [];
  if (d.added.length > 0)
    parts.push(`added ${d.added.map((c) => `${c.name} (${c.type})`).join(', ')}`);
  if (d.removed.length > 0) parts.push(`removed ${d.removed.map((c) => c.name).join(', ')}`);
  if (d.typeChanged.length > 0) {
    parts.push(
      `type changed ${d.typeChanged.map((c) => `${c.name} (${c.from} → ${c.to})`).join(', ')}`,
    );
  }
  return parts.join('; ');
}

/** True when nothing differs. */
export function isSameSchema(d: SchemaDiff): boolean {
  return d.added.length === 0 && d.removed.length === 0 && d.typeChanged.length === 0;
}
