/**
 * Command-line options of the generator.
 */
import { parseArgs } from 'node:util';
import { MdlError } from '../../runner/errors/mdl-error.js';

export interface GeneratorOptions {
  readonly out: string;
  readonly scale: number;
  readonly seed: number;
  readonly day: number;
  readonly dirtRate: number;
  /** Which of scale/seed/dirt-rate were given explicitly (day N checks them against state). */
  readonly explicit: ReadonlySet<'scale' | 'seed' | 'dirtRate'>;
  readonly quiet: boolean;
}

export const USAGE = `Usage: node dist/demo-generate.js [--out data/landing] [--scale 20000] [--seed 42] [--day 0] [--dirt-rate 0.02] [--quiet]

  --out        landing-zone directory (emr/, claims/, cpt/, npi/, icd/, _truth/)
  --scale      number of transactions on day 0 (a few hundred up to 10,000,000)
  --seed       PRNG seed; the same seed gives the same bytes
  --day        0 writes everything from scratch; N >= 1 applies day N's changes on top of day N-1
  --dirt-rate  share of rows with injected dirt (0 to 0.5)
`;

function num(
  name: string,
  raw: string | undefined,
  dflt: number,
  ok: (n: number) => boolean,
  what: string,
): number {
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || !ok(n))
    throw new MdlError('E_USAGE', `--${name} must be ${what}, got '${raw}'`, { hint: USAGE });
  return n;
}

/** Parses argv (without node and script). */
export function parseGeneratorArgs(argv: readonly string[]): GeneratorOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        out: { type: 'string' },
        scale: { type: 'string' },
        seed: { type: 'string' },
        day: { type: 'string' },
        'dirt-rate': { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (e) {
    throw new MdlError('E_USAGE', (e as Error).message, { hint: USAGE });
  }
  const v = parsed.values;
  if (v.help === true) return 'help';
  const explicit = new Set<'scale' | 'seed' | 'dirtRate'>();
  if (v.scale !== undefined) explicit.add('scale');
  if (v.seed !== undefined) explicit.add('seed');
  if (v['dirt-rate'] !== undefined) explicit.add('dirtRate');
  return {
    out: v.out ?? 'data/landing',
    scale: num(
      'scale',
      v.scale,
      20_000,
      (n) => Number.isInteger(n) && n >= 50 && n <= 50_000_000,
      'an integer from 50 to 50,000,000',
    ),
    seed: num(
      'seed',
      v.seed,
      42,
      (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff,
      'an integer from 0 to 4294967295',
    ),
    day: num(
      'day',
      v.day,
      0,
      (n) => Number.isInteger(n) && n >= 0 && n <= 3650,
      'an integer from 0 to 3650',
    ),
    dirtRate: num(
      'dirt-rate',
      v['dirt-rate'],
      0.02,
      (n) => n >= 0 && n <= 0.5,
      'a number from 0 to 0.5',
    ),
    explicit,
    quiet: v.quiet === true,
  };
}
