import type { ResourceType } from '../compiler/manifest.js';

/** How tests attached to selected nodes are pulled in (dbt's `--indirect-selection`). */
export type IndirectSelection = 'eager' | 'cautious' | 'empty';

/**
 * What the user asked for on the command line (or a program passes in).
 *
 * - `select`: each item is split on whitespace (union); within a piece, commas intersect.
 *   Empty = every node except sources (or the selectors.yml selector marked `default: true`).
 * - `exclude`: same grammar; removed from the selection.
 * - `selector`: name of a selector in selectors.yml (mutually exclusive with `select`).
 * - `resourceTypes`: keep only these resource types after selection.
 * - `indirectSelection`: how tests attached to selected nodes join (default `eager`).
 */
export interface SelectionCriteria {
  readonly select: readonly string[];
  readonly exclude: readonly string[];
  readonly selector?: string;
  readonly resourceTypes?: readonly ResourceType[];
  readonly indirectSelection?: IndirectSelection;
}

/** Selector methods understood in `method:value` atoms (listed in error messages). */
export const SELECTOR_METHODS = [
  'fqn',
  'tag',
  'path',
  'file',
  'config',
  'resource_type',
  'source',
  'test_type',
  'test_name',
  'package',
  'selector',
] as const;

export type SelectorMethod = (typeof SELECTOR_METHODS)[number];

/** One selector atom after parsing, e.g. `2+tag:phi+` or `@silver.patients`. */
export interface SelectorAtom {
  readonly kind: 'atom';
  /** The text as written, for messages. */
  readonly raw: string;
  readonly method: SelectorMethod;
  /** For `config.a.b:` the key path `['a', 'b']`; empty otherwise. */
  readonly methodArgs: readonly string[];
  readonly value: string;
  readonly parents: boolean;
  /** Generations of parents; undefined = all. */
  readonly parentsDepth?: number;
  readonly children: boolean;
  readonly childrenDepth?: number;
  /** `@x`: x, its descendants, and all ancestors of those. */
  readonly childrensParents: boolean;
  /** Per-atom override (selectors.yml `indirect_selection:`). */
  readonly indirectSelection?: IndirectSelection;
}

/** A parsed selection expression: atoms combined by set operations. */
export type SelectorSpec =
  | SelectorAtom
  | { readonly kind: 'union'; readonly parts: readonly SelectorSpec[] }
  | { readonly kind: 'intersection'; readonly parts: readonly SelectorSpec[] }
  | { readonly kind: 'difference'; readonly include: SelectorSpec; readonly exclude: SelectorSpec };
