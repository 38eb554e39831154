/**
 * A small client for the Azure Key Vault REST API (secrets only):
 * `GET {vaultUrl}/secrets/{name}?api-version=7.4` with a bearer token for
 * `https://vault.azure.net/.default`. Retries 429/5xx and network errors with bounded
 * exponential backoff (honouring Retry-After), maps 401/403/404 to clear E_SECRET errors that
 * name the secret and the vault, and caches values in memory for this process only.
 */
import http from 'node:http';
import https from 'node:https';
import { MdlError } from '../errors/mdl-error.js';
import type { SecretProvider, TokenCredentialLike } from './secret-provider.js';

/** OAuth scope of the Key Vault data plane. */
export const KEY_VAULT_SCOPE = 'https://vault.azure.net/.default';
/** REST API version used for `GET /secrets/{name}`. */
export const KEY_VAULT_API_VERSION = '7.4';
/** Key Vault's own rule for object names. */
const NAME = /^[0-9A-Za-z-]{1,127}$/;

export interface KeyVaultClientOptions {
  /** `https://<vault>.vault.azure.net` (a trailing slash is ignored). */
  readonly vaultUrl: string;
  readonly credential: TokenCredentialLike;
  /** Attempts per secret including the first (default 4). */
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Per-request timeout (default 30 s). */
  readonly timeoutMs?: number;
  /** Extra CA certificate(s) to trust (tests: a loopback server's self-signed cert). */
  readonly ca?: string | Buffer;
  /** Allow an `http://` vault URL. For tests against a loopback server only; never from config. */
  readonly allowInsecureHttp?: boolean;
  readonly sleep?: (ms: number) => Promise<void>;
}

interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** Why an attempt failed in a way worth retrying (no values in here). */
interface Retryable {
  readonly retry: true;
  readonly reason: string;
  readonly waitMs?: number;
}

const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Key Vault secrets client; one instance per vault, shared by the whole process. */
export class KeyVaultClient implements SecretProvider {
  readonly description: string;
  private readonly base: URL;
  private readonly cache = new Map<string, string>();
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly opts: KeyVaultClientOptions) {
    let url: URL;
    try {
      url = new URL(opts.vaultUrl);
    } catch {
      throw new MdlError('E_SECRET', `Key Vault URL '${opts.vaultUrl}' is not a valid URL`, {
        hint: 'set secrets.vault_url to https://<vault-name>.vault.azure.net',
      });
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && opts.allowInsecureHttp === true))
      throw new MdlError('E_SECRET', `Key Vault URL '${url.origin}' must use https`, {
        hint: 'set secrets.vault_url to https://<vault-name>.vault.azure.net',
      });
    this.base = url;
    this.description = `Azure Key Vault ${url.origin}`;
  }

  /** The secret's current value (cached for the process after the first success). */
  get(name: string): Promise<string> {
    if (!NAME.test(name))
      return Promise.reject(
        new MdlError('E_SECRET', `secret('${name}') is not a valid Key Vault secret name`, {
          hint: 'Key Vault names use only letters, digits and dashes (1–127 characters)',
        }),
      );
    const cached = this.cache.get(name);
    if (cached !== undefined) return Promise.resolve(cached);
    const pending = this.inFlight.get(name);
    if (pending !== undefined) return pending;
    const p = this.fetchSecret(name).then(
      (value) => {
        this.cache.set(name, value);
        this.inFlight.delete(name);
        return value;
      },
      (err: unknown) => {
        this.inFlight.delete(name);
        throw err;
      },
    );
    this.inFlight.set(name, p);
    return p;
  }

  private vault(): string {
    return this.base.origin;
  }

  private async fetchSecret(name: string): Promise<string> {
    const maxAttempts = Math.max(1, this.opts.maxAttempts ?? 4);
    const base = this.opts.baseDelayMs ?? 500;
    const maxDelay = this.opts.maxDelayMs ?? 10_000;
    const sleep = this.opts.sleep ?? sleepMs;
    let last = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const outcome = await this.attempt(name);
      if (typeof outcome === 'string') return outcome;
      last = outcome.reason;
      if (attempt === maxAttempts) break;
      const backoff = Math.min(maxDelay, base * 2 ** (attempt - 1));
      await sleep(Math.min(maxDelay, outcome.waitMs ?? backoff));
    }
    throw new MdlError(
      'E_SECRET',
      `could not read secret('${name}') from ${this.vault()}: ${last} (gave up after ${maxAttempts} attempts)`,
      { hint: 'Key Vault is throttling or unavailable; retry later or raise the attempt limit' },
    );
  }

  /** One GET: the value, a retryable failure, or a thrown MdlError. */
  private async attempt(name: string): Promise<string | Retryable> {
    const token = await this.token(name);
    const url = new URL(
      `${this.base.pathname.replace(/\/+$/, '')}/secrets/${encodeURIComponent(name)}`,
      this.base,
    );
    url.searchParams.set('api-version', KEY_VAULT_API_VERSION);
    let res: RawResponse;
    try {
      res = await this.request(url, token);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      // A certificate problem will not fix itself: fail now instead of retrying.
      if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code))
        throw new MdlError(
          'E_SECRET',
          `TLS verification of ${this.vault()} failed (${code}) reading secret('${name}')`,
          {
            hint: 'check secrets.vault_url: it must be the vault’s https://<name>.vault.azure.net',
          },
        );
      return { retry: true, reason: `network error ${code}` };
    }
    const errorCode = keyVaultErrorCode(res.body);
    switch (true) {
      case res.status === 200: {
        let value: unknown;
        try {
          value = (JSON.parse(res.body) as { value?: unknown }).value;
        } catch {
          value = undefined;
        }
        if (typeof value !== 'string')
          throw new MdlError(
            'E_SECRET',
            `${this.vault()} answered secret('${name}') without a string value`,
            { hint: 'check that the vault URL points at Azure Key Vault' },
          );
        return value;
      }
      case res.status === 401:
        throw new MdlError(
          'E_SECRET',
          `${this.vault()} rejected the access token reading secret('${name}') (401${errorCode})${challengeAuthority(res.headers)}`,
          {
            hint: 'check AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET: the token must come from the vault’s tenant',
          },
        );
      case res.status === 403:
        throw new MdlError(
          'E_SECRET',
          `access to secret('${name}') in ${this.vault()} is forbidden (403${errorCode})`,
          {
            hint: "grant the identity 'get' on secrets (access policy) or the 'Key Vault Secrets User' role",
          },
        );
      case res.status === 404:
        throw new MdlError('E_SECRET', `secret('${name}') not found in ${this.vault()}`, {
          hint: `create it: az keyvault secret set --vault-name <vault> --name ${name} --value …`,
        });
      case res.status === 429 || res.status >= 500:
        return {
          retry: true,
          reason: `HTTP ${res.status}${errorCode}`,
          ...retryAfter(res.headers, this.opts.maxDelayMs ?? 10_000),
        };
      default:
        throw new MdlError(
          'E_SECRET',
          `${this.vault()} answered HTTP ${res.status}${errorCode} for secret('${name}')`,
          { hint: 'check the vault URL and the secret name' },
        );
    }
  }

  private async token(name: string): Promise<string> {
    let t: Awaited<ReturnType<TokenCredentialLike['getToken']>>;
    try {
      t = await this.opts.credential.getToken(KEY_VAULT_SCOPE);
    } catch (err) {
      // First line only: identity errors can be long; they carry ids, never the client secret.
      const msg = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
      throw new MdlError(
        'E_SECRET',
        `could not get an Azure AD token for ${this.vault()} (reading secret('${name}')): ${msg}`,
        { hint: 'check AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET' },
      );
    }
    if (t === null)
      throw new MdlError('E_SECRET', `Azure AD returned no token for ${this.vault()}`, {
        hint: 'check the service principal used for Key Vault',
      });
    return t.token;
  }

  private request(url: URL, token: string): Promise<RawResponse> {
    const lib = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const req = lib.request(
        url,
        {
          method: 'GET',
          headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
          timeout: this.opts.timeoutMs ?? 30_000,
          ...(this.opts.ca === undefined ? {} : { ca: this.opts.ca }),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })),
      );
      req.on('error', reject);
      req.end();
    });
  }
}

/** `: SecretNotFound`-style suffix from a Key Vault error body (the code only, never the body). */
function keyVaultErrorCode(body: string): string {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' && /^[A-Za-z]{1,64}$/.test(code) ? `: ${code}` : '';
  } catch {
    return '';
  }
}

/** The authority a 401 challenge names (`WWW-Authenticate: Bearer authorization="…"`). */
function challengeAuthority(headers: http.IncomingHttpHeaders): string {
  const h = headers['www-authenticate'];
  const m = /authori(?:zation|ty)="([^"]+)"/i.exec(typeof h === 'string' ? h : '');
  return m === null ? '' : `; the vault expects tokens from ${m[1]}`;
}

function retryAfter(headers: http.IncomingHttpHeaders, maxMs: number): { waitMs?: number } {
  const h = headers['retry-after'];
  if (typeof h !== 'string') return {};
  const secs = Number(h.trim());
  if (Number.isFinite(secs) && secs >= 0) return { waitMs: Math.min(maxMs, secs * 1000) };
  const at = Date.parse(h);
  return Number.isNaN(at) ? {} : { waitMs: Math.min(maxMs, Math.max(0, at - Date.now())) };
}
