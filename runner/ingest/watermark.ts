/**
 * The lower bound of an incremental read. The previous high-water mark is re-read inclusively
 * (`w >= old`), optionally widened by an overlap window for timestamp watermarks, so a row
 * committed during the previous copy with a watermark equal to (or, within the window, below)
 * the captured maximum is not lost. The price is that boundary rows can be copied twice; bronze
 * is append-only and silver keeps the latest row per primary key (documented in docs/ingest.md).
 */

const TS = /^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d):(\d\d)(\.\d+)?)?$/;

/** Subtracts `seconds` from a timestamp-like watermark text, keeping its format; others unchanged. */
export function widenLowerBound(old: string, seconds: number): string {
  if (seconds <= 0) return old;
  const m = TS.exec(old.trim());
  if (m === null) {
    // Numeric watermarks (row versions, ids): subtract the window as a count.
    if (/^-?\d+$/.test(old.trim()))
      return (BigInt(old.trim()) - BigInt(Math.floor(seconds))).toString();
    return old;
  }
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = ''] = m;
  const t =
    Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) -
    seconds * 1000;
  const iso = new Date(t).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  if (m[4] === undefined) return iso.slice(0, 10);
  const sep = old.includes('T') ? 'T' : ' ';
  return `${iso.slice(0, 10)}${sep}${iso.slice(11, 19)}${frac}`;
}
