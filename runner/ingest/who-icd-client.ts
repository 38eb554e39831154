/**
 * Client of the WHO ICD API (https://icd.who.int/icdapi) for ICD-10: OAuth2 client-credentials
 * token (client id/secret come from secrets, never from code), then the release tree walked
 * from the root (chapters → blocks → categories). Retries, rate limit and token refresh on
 * 401. Base URLs are configurable so tests use a loopback server.
 */
import { MdlError } from '../errors/mdl-error.js';
import type { RetryOptions } from './http-retry.js';
import { DEFAULT_RETRY, RateLimiter, fetchWithRetry } from './http-retry.js';
import type { IcdCodeRow } from './icd-order-file.js';

export const WHO_TOKEN_URL = 'https://icdaccessmanagement.who.int/connect/token';
export const WHO_API_BASE_URL = 'https://id.who.int/';

export interface WhoIcdClientOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tokenUrl?: string;
  readonly apiBaseUrl?: string;
  /** ICD-10 release, e.g. `2019`. */
  readonly release?: string;
  readonly language?: string;
  readonly requestsPerSecond?: number;
  readonly retry?: Partial<RetryOptions>;
}

interface IcdEntity {
  readonly code?: string;
  readonly classKind?: string;
  readonly title?: { readonly '@value'?: string };
  readonly child?: readonly string[];
}

export class WhoIcdClient {
  private token: { value: string; expiresAt: number } | undefined;
  private readonly retry: RetryOptions;
  private readonly apiBase: string;

  constructor(private readonly opts: WhoIcdClientOptions) {
    this.retry = {
      ...DEFAULT_RETRY,
      limiter: new RateLimiter(opts.requestsPerSecond ?? 10),
      ...opts.retry,
    };
    this.apiBase = opts.apiBaseUrl ?? WHO_API_BASE_URL;
  }

  private async accessToken(force: boolean): Promise<string> {
    if (!force && this.token !== undefined && this.token.expiresAt > Date.now() + 30_000)
      return this.token.value;
    const body = new URLSearchParams({
      client_id: this.opts.clientId,
      client_secret: this.opts.clientSecret,
      scope: 'icdapi_access',
      grant_type: 'client_credentials',
    });
    const res = await fetchWithRetry(
      this.opts.tokenUrl ?? WHO_TOKEN_URL,
      { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      this.retry,
    );
    if (!res.ok)
      throw new MdlError('E_HTTP', `WHO ICD token endpoint: HTTP ${res.status}`, {
        hint: "check the client id/secret secrets (secret('who-icd-client-id'), secret('who-icd-client-secret'))",
      });
    const doc = (await res.json()) as { access_token?: string; expires_in?: number };
    if (typeof doc.access_token !== 'string')
      throw new MdlError('E_HTTP', 'WHO ICD token endpoint returned no access_token');
    this.token = {
      value: doc.access_token,
      expiresAt: Date.now() + (doc.expires_in ?? 3600) * 1000,
    };
    return this.token.value;
  }

  /** GETs one entity by URI (absolute `http://id.who.int/...` URIs are rebased onto the API base). */
  async entity(uri: string): Promise<IcdEntity> {
    const path = new URL(uri, this.apiBase).pathname.replace(/^\//, '');
    const url = new URL(path, this.apiBase).toString();
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await this.accessToken(attempt > 0);
      const res = await fetchWithRetry(
        url,
        {
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            'accept-language': this.opts.language ?? 'en',
            'api-version': 'v2',
          },
        },
        this.retry,
      );
      if (res.status === 401 && attempt === 0) {
        await res.body?.cancel();
        continue; // token expired or revoked: fetch a new one once
      }
      if (!res.ok)
        throw new MdlError('E_HTTP', `WHO ICD API ${new URL(url).pathname}: HTTP ${res.status}`);
      return (await res.json()) as IcdEntity;
    }
    throw new MdlError('E_HTTP', 'WHO ICD API: unauthorized after refreshing the token', {
      hint: 'check the client credentials',
    });
  }

  /** Walks the release tree from its root, yielding every category (code with a title). */
  async *codes(): AsyncGenerator<IcdCodeRow> {
    const root = `icd/release/10/${this.opts.release ?? '2019'}`;
    const stack: string[] = [root];
    while (stack.length > 0) {
      const uri = stack.pop() as string;
      const e = await this.entity(uri);
      if (
        (e.classKind === 'category' || e.classKind === 'modifiedcategory') &&
        e.code !== undefined
      )
        yield {
          icd_code: e.code.replace('.', ''),
          icd_code_type: 'ICD-10',
          code_description: e.title?.['@value'] ?? '',
          is_billable: (e.child ?? []).length === 0,
        };
      // Reverse so codes come out in the tree's order.
      for (const c of [...(e.child ?? [])].reverse()) stack.push(c);
    }
  }
}
