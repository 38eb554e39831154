import { MdlError } from '../errors/mdl-error.js';
import type { Target } from '../project/types.js';
import type { Adapter } from './adapter.js';

/**
 * Opens the adapter for a target. Engines are imported lazily so a DuckDB run never loads the
 * Spark/Databricks drivers. Other engines register here with one line each.
 */
export async function openAdapter(target: Target, threads?: number): Promise<Adapter> {
  switch (target.type) {
    case 'duckdb': {
      const { createDuckDbAdapter } = await import('./duckdb-adapter.js');
      return createDuckDbAdapter(target, threads ?? target.threads);
    }
    case 'spark':
    case 'databricks':
      throw new MdlError('E_TARGET', `no execution adapter is available yet for target type '${target.type}'`, {
        hint: 'run against a duckdb target, or use an mdl build that includes the spark/databricks adapter',
      });
  }
}
