import type { ConfigValue, SecretRef } from './types.js';

/** Result of resolving `env_var(...)` / `secret(...)` inside one config string. */
export type ResolvedValue =
  | { readonly kind: 'value'; readonly value: ConfigValue }
  | { readonly kind: 'missing-env'; readonly name: string };

const QUOTED = String.raw`(?:'([^']*)'|"([^"]*)")`;
const ENV_CALL = String.raw`env_var\(\s*${QUOTED}\s*(?:,\s*${QUOTED}\s*)?\)`;
const SECRET_CALL = String.raw`secret\(\s*${QUOTED}\s*\)`;
const ENV_IN_BRACES = new RegExp(String.raw`\{\{\s*${ENV_CALL}\s*\}\}`, 'g');
const BARE_ENV = new RegExp(String.raw`^\s*${ENV_CALL}\s*$`);
const SECRET = new RegExp(String.raw`^\s*(?:\{\{\s*${SECRET_CALL}\s*\}\}|${SECRET_CALL})\s*$`);

/**
 * Resolves config values written in targets.yml: `"{{ env_var('X') }}"` (anywhere in the
 * string), a bare `env_var('X', 'default')`, or a whole-value `secret('name')` which stays a
 * {@link SecretRef} resolved only when a connection opens. Values are never executed.
 */
export function resolveConfigString(
  raw: string,
  env: Readonly<Record<string, string | undefined>>,
): ResolvedValue {
  const secret = SECRET.exec(raw);
  if (secret !== null) {
    const name = secret[1] ?? secret[2] ?? secret[3] ?? secret[4] ?? '';
    const ref: SecretRef = { secret: name };
    return { kind: 'value', value: ref };
  }
  let missing: string | undefined;
  const lookup = (m: RegExpExecArray | string[]): string => {
    const name = m[1] ?? m[2] ?? '';
    const def = m[3] ?? m[4];
    const v = env[name];
    if (v !== undefined) return v;
    if (def !== undefined) return def;
    missing ??= name;
    return '';
  };
  const bare = BARE_ENV.exec(raw);
  if (bare !== null) {
    const v = lookup(bare);
    return missing === undefined
      ? { kind: 'value', value: v }
      : { kind: 'missing-env', name: missing };
  }
  const out = raw.replace(ENV_IN_BRACES, (...args: string[]) => lookup(args));
  return missing === undefined
    ? { kind: 'value', value: out }
    : { kind: 'missing-env', name: missing };
}

/** True for a deferred secret reference. */
export function isSecretRef(v: unknown): v is SecretRef {
  return typeof v === 'object' && v !== null && 'secret' in v && typeof v.secret === 'string';
}
