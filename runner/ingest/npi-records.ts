/**
 * Flattens NPPES NPI Registry API v2.1 results (`{result_count, results: [...]}`) into the
 * bronze NPI rows: npi, names (the authorized official's for organisations), position,
 * organisation name, enumeration type, last updated.
 */

/** One NPI row as bronze stores it; `npi` is text here and BIGINT in Parquet. */
export interface NpiRow {
  readonly npi: string;
  readonly enumeration_type: string | null;
  readonly first_name: string | null;
  readonly last_name: string | null;
  readonly position: string | null;
  readonly organisation_name: string | null;
  readonly primary_taxonomy: string | null;
  readonly state: string | null;
  readonly last_updated: string | null;
}

const str = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;

/** Flattens one API result object; undefined when it has no valid 10-digit NPI. */
export function npiRowOf(result: unknown): NpiRow | undefined {
  if (result === null || typeof result !== 'object') return undefined;
  const r = result as Record<string, unknown>;
  const npi = str(r.number);
  if (npi === null || !/^\d{10}$/.test(npi)) return undefined;
  const basic = (r.basic ?? {}) as Record<string, unknown>;
  const isOrg = r.enumeration_type === 'NPI-2';
  const taxonomies = Array.isArray(r.taxonomies) ? (r.taxonomies as Record<string, unknown>[]) : [];
  const primary = taxonomies.find((t) => t.primary === true) ?? taxonomies[0];
  const addresses = Array.isArray(r.addresses) ? (r.addresses as Record<string, unknown>[]) : [];
  const location = addresses.find((a) => a.address_purpose === 'LOCATION') ?? addresses[0];
  return {
    npi,
    enumeration_type: str(r.enumeration_type),
    first_name: str(isOrg ? basic.authorized_official_first_name : basic.first_name),
    last_name: str(isOrg ? basic.authorized_official_last_name : basic.last_name),
    position: str(isOrg ? basic.authorized_official_title_or_position : basic.credential),
    organisation_name: str(basic.organization_name),
    primary_taxonomy: str(primary?.desc),
    state: str(location?.state),
    last_updated: str(basic.last_updated),
  };
}

/** Rows of a whole response document; throws a plain Error when the shape is wrong. */
export function npiRowsOfResponse(doc: unknown): NpiRow[] {
  if (
    doc === null ||
    typeof doc !== 'object' ||
    !Array.isArray((doc as { results?: unknown }).results)
  )
    throw new Error('not an NPPES API response: expected {result_count, results: [...]}');
  const out: NpiRow[] = [];
  for (const r of (doc as { results: unknown[] }).results) {
    const row = npiRowOf(r);
    if (row !== undefined) out.push(row);
  }
  return out;
}
