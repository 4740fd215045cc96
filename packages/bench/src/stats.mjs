// Small summary statistics. Medians are what the tables show; min and max show the spread.

export function quantile(values, q) {
  const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return undefined;
  const pos = (xs.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo);
}

/** { median, min, max, n } of the finite numbers in `values` (undefined when there are none). */
export function summary(values) {
  const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  if (xs.length === 0) return undefined;
  return { median: quantile(xs, 0.5), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}
