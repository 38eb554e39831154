/**
 * Library entry of the synthetic data generator (used by the CLI, the demo and the tests).
 */
import { MdlError } from '../../runner/errors/mdl-error.js';
import { generateNextDay } from './day-next.js';
import { generateDayZero } from './day-zero.js';
import type { GeneratorOptions } from './options.js';
import { readState, readTruth, type GeneratorState } from './state.js';

/** Generates day 0, or applies day N on top of the landing zone at day N-1. */
export function generate(o: Omit<GeneratorOptions, 'quiet'>): GeneratorState {
  if (o.day === 0)
    return generateDayZero(o.out, { seed: o.seed, scale: o.scale, dirtRate: o.dirtRate });
  const state = readState(o.out);
  const given = { seed: o.seed, scale: o.scale, dirtRate: o.dirtRate } as const;
  for (const k of o.explicit) {
    if (given[k] !== state[k])
      throw new MdlError(
        'E_USAGE',
        `--${k === 'dirtRate' ? 'dirt-rate' : k} ${given[k]} differs from day 0's ${state[k]}`,
        {
          hint: 'later days reuse the settings of day 0: drop the option or regenerate from --day 0',
        },
      );
  }
  return generateNextDay(o.out, state, readTruth(o.out), o.day);
}

export { parseGeneratorArgs, USAGE } from './options.js';
export type { GeneratorOptions } from './options.js';
export type { GeneratorState } from './state.js';
export type { DirtTruth } from './dirt-ledger.js';
export { landingPaths } from './state.js';
