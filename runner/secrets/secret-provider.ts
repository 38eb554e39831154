/**
 * Where `secret('name')` values come from. One interface for every consumer (Spark/Databricks
 * targets, ingest connections, code-set API credentials), so a secret resolves the same way
 * everywhere. Values are returned to the caller only — never logged, never put in an error.
 */

/** Resolves secret names to values. */
export interface SecretProvider {
  /** Short description for messages, e.g. `env (MDL_SECRET_<NAME>)` or the vault URL. */
  readonly description: string;
  /** The secret's value; throws an `E_SECRET` MdlError naming the secret (never a value). */
  get(name: string): Promise<string>;
}

/** The subset of an `@azure/identity` TokenCredential mdl needs (tests inject a fake). */
export interface TokenCredentialLike {
  getToken(
    scopes: string | string[],
  ): Promise<{ readonly token: string; readonly expiresOnTimestamp: number } | null>;
}
