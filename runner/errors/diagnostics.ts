import type { MdlError } from './mdl-error.js';

/**
 * Collects problems so that one pass reports all of them (compile, project validation) instead of
 * stopping at the first.
 */
export class Diagnostics {
  private readonly items: MdlError[] = [];

  add(err: MdlError): void {
    this.items.push(err);
  }

  get errors(): readonly MdlError[] {
    return this.items;
  }

  get size(): number {
    return this.items.length;
  }

  /** Throws an {@link AggregateMdlError} if anything was collected. */
  throwIfAny(what: string): void {
    if (this.items.length > 0) throw new AggregateMdlError(what, this.items);
  }
}

/** Several problems found in one pass; the CLI prints each on its own line. */
export class AggregateMdlError extends Error {
  readonly errors: readonly MdlError[];
  constructor(what: string, errors: readonly MdlError[]) {
    super(`${what}: ${errors.length} problem${errors.length === 1 ? '' : 's'} found`);
    this.name = 'AggregateMdlError';
    this.errors = errors;
  }
}
