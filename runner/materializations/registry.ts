import type { ExecutableNode, Materialization } from '../compiler/manifest.js';
import { MdlError } from '../errors/mdl-error.js';
import { ephemeralStrategy } from './ephemeral.js';
import { incrementalStrategy } from './incremental.js';
import { seedStrategy } from './seed.js';
import { snapshotStrategy } from './snapshot.js';
import type { Strategy } from './strategy.js';
import { tableStrategy } from './table.js';
import { viewStrategy } from './view.js';

/** Strategies by `config.materialized`. Tests are planned by data-test.ts (they count, not build). */
const strategies: Partial<Record<Materialization, Strategy>> = {
  view: viewStrategy as Strategy,
  table: tableStrategy as Strategy,
  incremental: incrementalStrategy as Strategy,
  ephemeral: ephemeralStrategy as Strategy,
  seed: seedStrategy as Strategy,
  snapshot: snapshotStrategy as Strategy,
};

/** The strategy for a node; unknown materializations are E_CONFIG at the node. */
export function strategyFor(node: ExecutableNode): Strategy {
  const m = node.resourceType === 'seed' ? 'seed' : node.config.materialized;
  const s = strategies[m];
  if (s === undefined) {
    throw new MdlError(
      'E_CONFIG',
      `no materialization '${m}' for ${node.resourceType} ${node.name}`,
      {
        node: node.uniqueId,
        file: node.originalFilePath,
        line: node.line,
        hint: `use one of: ${Object.keys(strategies).join(', ')}`,
      },
    );
  }
  return s;
}
