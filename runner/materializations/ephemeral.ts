import type { ModelNode } from '../compiler/manifest.js';
import type { Strategy } from './strategy.js';

/** `ephemeral`: nothing runs; dependants inline the SELECT as a CTE (see select-sql.ts). */
export const ephemeralStrategy: Strategy<ModelNode> = () => ({
  steps: [],
  transaction: false,
  cleanup: [],
});
