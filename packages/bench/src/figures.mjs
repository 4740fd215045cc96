// How figures are written in the tables: integers with thousands separators, ratios, and a median with its
// [min–max] spread.

export function fmtInt(v) {
  if (v === undefined || v === null || !Number.isFinite(v)) return '–';
  return Math.round(v).toLocaleString('en-US');
}
export function fmtNum(v, digits) {
  if (v === undefined || v === null || !Number.isFinite(v)) return '–';
  return v.toFixed(digits);
}
export function fmtRatio(v) {
  if (v === undefined || !Number.isFinite(v)) return '–';
  return `${v < 10 ? v.toFixed(2) : v.toFixed(0)}×`;
}
/** median, and [min–max] when there was more than one run. */
export function spread(s, fmt) {
  if (s === undefined) return '–';
  if (s.n < 2 || fmt(s.min) === fmt(s.max)) return fmt(s.median);
  return `${fmt(s.median)} [${fmt(s.min)}–${fmt(s.max)}]`;
}
export const ints = (s) => spread(s, fmtInt);
export const dec1 = (s) => spread(s, (v) => fmtNum(v, 1));
export const secs = (s) => spread(s, (v) => fmtNum(v / 1000, 1));
