import { afterEach, describe, expect, it } from 'vitest';
import { databricksConnectOptions } from '../../runner/adapters/databricks-adapter.js';
import { MdlError } from '../../runner/errors/mdl-error.js';
import type { DatabricksTarget } from '../../runner/project/types.js';
import {
  KEY_VAULT_SCOPE,
  KeyVaultClient,
  type KeyVaultClientOptions,
} from '../../runner/secrets/key-vault-client.js';
import { configResolver, createSecretProvider } from '../../runner/secrets/resolver.js';
import type { TokenCredentialLike } from '../../runner/secrets/secret-provider.js';
import {
  KV_TENANT_AUTHORITY,
  startFakeVault,
  type FakeVault,
  type FakeVaultOptions,
} from './secrets-key-vault-server.js';

// The real Key Vault client over HTTPS against a loopback server that answers like Key Vault.
// Not exercised: Azure AD itself (a fake token credential is injected) and a real vault.

const SECRETS = { 'databricks-token': 'dapi-VALUE-0001', 'hosa-sql-password': 'pw-VALUE-0002' };
const VALUES = Object.values(SECRETS);

let vault: FakeVault | undefined;
afterEach(async () => {
  await vault?.close();
  vault = undefined;
});

/** A token credential that records the scopes it was asked for. */
function fakeCredential(token = 'kv-token'): TokenCredentialLike & { scopes: string[] } {
  const scopes: string[] = [];
  return {
    scopes,
    getToken(s) {
      scopes.push(...(Array.isArray(s) ? s : [s]));
      return Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 });
    },
  };
}

async function setup(
  extra: Partial<FakeVaultOptions> = {},
  client: Partial<KeyVaultClientOptions> = {},
): Promise<{ kv: KeyVaultClient; v: FakeVault; sleeps: number[] }> {
  const v = await startFakeVault({ secrets: SECRETS, token: 'kv-token', ...extra });
  vault = v;
  const sleeps: number[] = [];
  const kv = new KeyVaultClient({
    vaultUrl: v.url,
    credential: fakeCredential(),
    ca: v.caCert,
    baseDelayMs: 100,
    maxDelayMs: 5_000,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    ...client,
  });
  return { kv, v, sleeps };
}

async function failure(p: Promise<unknown>): Promise<MdlError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MdlError);
  const e = err as MdlError;
  for (const value of VALUES) {
    expect(e.message).not.toContain(value);
    expect(e.hint ?? '').not.toContain(value);
  }
  expect(e.message).not.toContain('kv-token');
  return e;
}

describe('Key Vault client (loopback HTTPS)', () => {
  it('200: GET /secrets/{name}?api-version=7.4 with the bearer token; value cached for the process', async () => {
    const credential = fakeCredential();
    const { kv, v } = await setup({}, { credential });
    expect(await kv.get('databricks-token')).toBe('dapi-VALUE-0001');
    expect(v.requests).toEqual([
      { path: '/secrets/databricks-token', apiVersion: '7.4', auth: 'Bearer kv-token' },
    ]);
    expect(credential.scopes).toEqual([KEY_VAULT_SCOPE]);
    // Cached and de-duplicated: concurrent and repeated reads make no new request.
    const again = await Promise.all([kv.get('databricks-token'), kv.get('databricks-token')]);
    expect(again).toEqual(['dapi-VALUE-0001', 'dapi-VALUE-0001']);
    expect(v.requests).toHaveLength(1);
    const [a, b] = await Promise.all([kv.get('hosa-sql-password'), kv.get('hosa-sql-password')]);
    expect([a, b]).toEqual(['pw-VALUE-0002', 'pw-VALUE-0002']);
    expect(v.requests).toHaveLength(2);
  });

  it('401 challenge: names the secret, the vault and the tenant the vault expects', async () => {
    const { kv, v } = await setup({}, { credential: fakeCredential('wrong-token') });
    const e = await failure(kv.get('databricks-token'));
    expect(e.code).toBe('E_SECRET');
    expect(e.message).toContain("secret('databricks-token')");
    expect(e.message).toContain(v.url);
    expect(e.message).toContain('401: Unauthorized');
    expect(e.message).toContain(KV_TENANT_AUTHORITY);
    expect(e.message).not.toContain('wrong-token');
    expect(v.requests).toHaveLength(1);
  });

  it('403: forbidden, with the role to grant; not retried', async () => {
    const { kv, v } = await setup({ forbidden: ['databricks-token'] });
    const e = await failure(kv.get('databricks-token'));
    expect(e.message).toBe(
      `access to secret('databricks-token') in ${v.url} is forbidden (403: Forbidden)`,
    );
    expect(e.hint).toContain('Key Vault Secrets User');
    expect(v.requests).toHaveLength(1);
  });

  it('404 SecretNotFound: names the secret and vault; a failure is not cached', async () => {
    const { kv, v } = await setup();
    const e = await failure(kv.get('no-such-secret'));
    expect(e.message).toBe(`secret('no-such-secret') not found in ${v.url}`);
    expect(e.hint).toContain('az keyvault secret set');
    await failure(kv.get('no-such-secret'));
    expect(v.requests).toHaveLength(2);
  });

  it('429 with Retry-After and 503 are retried with backoff, then succeed', async () => {
    const { kv, v, sleeps } = await setup({
      script: { 'databricks-token': [429, 503] },
      retryAfter: '2',
    });
    expect(await kv.get('databricks-token')).toBe('dapi-VALUE-0001');
    expect(v.requests).toHaveLength(3);
    // Retry-After: 2 → 2000 ms; then exponential backoff 100 · 2^1.
    expect(sleeps).toEqual([2000, 200]);
  });

  it('retries are bounded: persistent 503 gives up after maxAttempts', async () => {
    const { kv, v, sleeps } = await setup(
      { script: { 'databricks-token': [503, 503, 503, 503, 503] } },
      { maxAttempts: 3 },
    );
    const e = await failure(kv.get('databricks-token'));
    expect(e.message).toContain('HTTP 503: ServiceUnavailable');
    expect(e.message).toContain('gave up after 3 attempts');
    expect(v.requests).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
  });

  it('an untrusted certificate fails at once (no retries), naming the vault', async () => {
    const v = await startFakeVault({ secrets: SECRETS, token: 'kv-token' });
    vault = v;
    const kv = new KeyVaultClient({ vaultUrl: v.url, credential: fakeCredential() });
    const e = await failure(kv.get('databricks-token'));
    expect(e.message).toContain(`TLS verification of ${v.url} failed`);
    expect(v.requests).toHaveLength(0);
  });

  it('token failures and invalid names are E_SECRET without contacting the vault', async () => {
    const v = await startFakeVault({ secrets: SECRETS, token: 'kv-token' });
    vault = v;
    const kv = new KeyVaultClient({
      vaultUrl: v.url,
      ca: v.caCert,
      credential: { getToken: () => Promise.reject(new Error('AADSTS7000215: Invalid client')) },
    });
    const e = await failure(kv.get('databricks-token'));
    expect(e.message).toContain('could not get an Azure AD token');
    expect(e.message).toContain('AADSTS7000215');
    const bad = await failure(kv.get('bad_name'));
    expect(bad.message).toContain('not a valid Key Vault secret name');
    expect(v.requests).toHaveLength(0);
  });

  it('http vault URLs are refused unless explicitly allowed (tests only)', () => {
    expect(
      () => new KeyVaultClient({ vaultUrl: 'http://127.0.0.1:1', credential: fakeCredential() }),
    ).toThrow(/must use https/);
    expect(
      new KeyVaultClient({
        vaultUrl: 'http://127.0.0.1:1',
        credential: fakeCredential(),
        allowInsecureHttp: true,
      }).description,
    ).toBe('Azure Key Vault http://127.0.0.1:1');
  });
});

describe('Key Vault provider wired into the Databricks adapter', () => {
  const target: DatabricksTarget = {
    type: 'databricks',
    name: 'prod',
    host: 'adb-1.azuredatabricks.net',
    httpPath: '/sql/1.0/warehouses/abc',
    catalog: 'healthcare',
    schema: 'default',
    threads: 1,
    auth: 'pat',
    token: { secret: 'databricks-token' },
    createCatalogs: false,
  };

  it('targets.yml secrets: azure-key-vault → secret() target fields come from the vault', async () => {
    const v = await startFakeVault({ secrets: SECRETS, token: 'kv-token' });
    vault = v;
    const provider = createSecretProvider(
      { provider: 'azure-key-vault', vaultUrl: v.url },
      { credential: fakeCredential(), keyVault: { ca: v.caCert } },
    );
    const options = await databricksConnectOptions(target, configResolver(provider, 'prod'));
    expect(options.auth).toEqual({ kind: 'pat', token: 'dapi-VALUE-0001' });
    expect(v.requests.map((r) => r.path)).toEqual(['/secrets/databricks-token']);
  });

  it('a vault error names the target field and secret, never a value', async () => {
    const v = await startFakeVault({
      secrets: SECRETS,
      token: 'kv-token',
      forbidden: ['databricks-token'],
    });
    vault = v;
    const provider = createSecretProvider(
      { provider: 'azure-key-vault', vaultUrl: v.url },
      { credential: fakeCredential(), keyVault: { ca: v.caCert } },
    );
    const e = await failure(databricksConnectOptions(target, configResolver(provider, 'prod')));
    expect(e.message).toBe(
      `target 'prod' field 'token': access to secret('databricks-token') in ${v.url} is forbidden (403: Forbidden)`,
    );
    expect(e.file).toBe('configs/targets.yml');
  });
});
