/**
 * HTTP with retries and a request rate limit for the code-set API clients (Node 20's global
 * fetch). Retries 429 and 5xx (and network errors) with exponential backoff and jitter,
 * honouring `Retry-After` (seconds or an HTTP date). Nothing here logs URLs' secrets or bodies.
 */
import { MdlError } from '../errors/mdl-error.js';

/** Spaces requests at least `1000 / perSecond` ms apart (shared by all calls of one client). */
export class RateLimiter {
  private nextAt = 0;
  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = defaultSleep,
  ) {}

  /** Waits for the next free slot. */
  async take(): Promise<void> {
    if (this.perSecond <= 0) return;
    const gap = 1000 / this.perSecond;
    const t = this.now();
    const at = Math.max(t, this.nextAt);
    this.nextAt = at + gap;
    if (at > t) await this.sleep(at - t);
  }
}

export function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface RetryOptions {
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly limiter?: RateLimiter;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly fetch?: typeof fetch;
  /** Per-attempt timeout. */
  readonly timeoutMs?: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxRetries: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  timeoutMs: 60_000,
};

/** Milliseconds to wait according to a Retry-After header, if it has a usable value. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const retryable = (status: number): boolean => status === 429 || (status >= 500 && status <= 599);

/** Where the request went, without query string or credentials (safe for messages). */
function describe(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

/**
 * Fetches with retries. Returns the first non-retryable response (2xx or 4xx other than 429);
 * throws E_HTTP when retries are exhausted.
 */
export async function fetchWithRetry(
  url: string,
  init: RequestInit,
  opts: RetryOptions = DEFAULT_RETRY,
): Promise<Response> {
  const sleep = opts.sleep ?? defaultSleep;
  const doFetch = opts.fetch ?? fetch;
  let lastProblem = '';
  for (let attempt = 0; ; attempt++) {
    await opts.limiter?.take();
    let res: Response | undefined;
    try {
      res = await doFetch(url, {
        ...init,
        ...(opts.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(opts.timeoutMs) }),
      });
    } catch (err) {
      lastProblem = err instanceof Error ? err.message : String(err);
    }
    if (res !== undefined && !retryable(res.status)) return res;
    const wait = res === undefined ? undefined : retryAfterMs(res.headers.get('retry-after'));
    if (res !== undefined) {
      lastProblem = `HTTP ${res.status}`;
      await res.body?.cancel();
    }
    if (attempt >= opts.maxRetries)
      throw new MdlError(
        'E_HTTP',
        `${describe(url)}: ${lastProblem} after ${attempt + 1} attempts`,
        {
          hint: 'the service is throttling or failing; try again later or lower the request rate',
        },
      );
    const backoff = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** attempt);
    const jitter = Math.random() * opts.baseDelayMs;
    await sleep(Math.min(opts.maxDelayMs, wait ?? backoff + jitter));
  }
}
