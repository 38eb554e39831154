/**
 * NPI check digits. An NPI is 9 digits plus a Luhn check digit computed over the ISO prefix
 * `80840` followed by the 9 digits (CMS "NPI check digit" standard).
 */

/** Luhn check digit for a string of digits (the digit that would be appended). */
export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  // Walk right to left; the rightmost payload digit is doubled because the check digit follows.
  for (let i = payload.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = payload.charCodeAt(i) - 48;
    if (d < 0 || d > 9) throw new Error('luhnCheckDigit: payload must be digits');
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** The full 10-digit NPI for a 9-digit base (first digit 1 or 2). */
export function npiFromBase(base9: number): number {
  const s = String(base9);
  if (s.length !== 9) throw new Error(`npiFromBase: base must have 9 digits, got ${s.length}`);
  return base9 * 10 + luhnCheckDigit(`80840${s}`);
}

/** True when a 10-digit NPI carries a correct check digit. */
export function isValidNpi(npi: number | string): boolean {
  const s = String(npi);
  if (!/^[12]\d{9}$/.test(s)) return false;
  return luhnCheckDigit(`80840${s.slice(0, 9)}`) === Number(s[9]);
}

/** The same base with a deliberately wrong check digit (for dirt). */
export function invalidNpiFromBase(base9: number): number {
  const good = npiFromBase(base9);
  return good - (good % 10) + (((good % 10) + 1) % 10);
}
