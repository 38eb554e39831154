/**
 * CLI of the synthetic data generator: `node dist/demo-generate.js --out data/landing --scale N
 * --seed S --day D --dirt-rate R`. Prints counts only — never row values.
 */
import { formatError } from '../../runner/errors/mdl-error.js';
import { generate, parseGeneratorArgs, USAGE } from './generate.js';

function run(argv: readonly string[]): number {
  const started = Date.now();
  const o = parseGeneratorArgs(argv);
  if (o === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const state = generate(o);
  if (!o.quiet) {
    const c = state.counters;
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `day ${state.lastDay} → ${o.out} in ${secs}s: ` +
        `transactions hos-a ${c['hos-a'].transactions}, hos-b ${c['hos-b'].transactions}; ` +
        `encounters ${c['hos-a'].encounters + c['hos-b'].encounters}; ` +
        `patients ${c['hos-a'].patients + c['hos-b'].patients}; providers ${c['hos-a'].providers + c['hos-b'].providers}\n`,
    );
  }
  return 0;
}

try {
  process.exitCode = run(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`${formatError(e)}\n`);
  process.exitCode = 2;
}
