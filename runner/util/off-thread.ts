import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

/** The Node modules an off-thread function may use (it cannot import anything itself). */
export interface ThreadModules {
  readonly fs: typeof fs;
  readonly path: typeof path;
  readonly crypto: typeof crypto;
}

/** The modules, for running an off-thread function inline. */
export const THREAD_MODULES: ThreadModules = { fs, path, crypto };

/** Whether a second core exists to run work on (else threads only add start-up cost). */
export function canOffload(): boolean {
  return os.availableParallelism() >= 2;
}

/**
 * Runs `fn(modules, data)` on a worker thread when `offload` is true, else inline. The worker
 * runs `fn` from its source text, so `fn` must be self-contained: no closure variables, no
 * imports (it gets Node modules as its first argument), data and result structured-cloneable.
 * Such a small worker starts in ~20 ms (it loads none of mdl's bundle).
 *
 * The data is handed over synchronously, so a caller may start this, keep working on this thread
 * and await the result later: the two overlap.
 */
export function runOffThread<D, R>(
  fn: (modules: ThreadModules, data: D) => R,
  data: D,
  offload: boolean,
): Promise<R> {
  if (!offload) {
    try {
      return Promise.resolve(fn(THREAD_MODULES, data));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
  // An ES module from a data: URL: unlike `eval: true` code, it does not depend on how the
  // host process was started (e.g. `node --input-type=module`, which workers inherit).
  const source = [
    "import { parentPort, workerData } from 'node:worker_threads';",
    "import * as fs from 'node:fs';",
    "import * as path from 'node:path';",
    "import * as crypto from 'node:crypto';",
    `parentPort.postMessage((${fn.toString()})({ fs, path, crypto }, workerData));`,
  ].join('\n');
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(source)}`), {
      workerData: data,
    });
    let settled = false;
    worker.once('message', (r: R) => {
      settled = true;
      resolve(r);
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`worker thread exited with code ${code} before answering`));
    });
  });
}

/**
 * Returns `p` after marking a rejection as handled: for work started now and awaited later (a
 * rejection before the await would otherwise be reported as unhandled and end the process).
 */
export function awaitedLater<T>(p: Promise<T>): Promise<T> {
  void p.catch(() => undefined);
  return p;
}
