/**
 * Rendering of label sets as text: Loki's canonical stream form (`labels.Labels.String()`) and the
 * selector text Loki derives from a JSON `stream` object (`loghttp.LabelSet.String()`).
 */
import { goQuote } from './go-strings.js';
import type { LabelPair } from './label-parser.js';

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Canonical form `{a="x", b="y"}` of already sorted pairs (Prometheus `Labels.String()`). */
export function formatLabelPairs(pairs: readonly LabelPair[]): string {
  let out = '{';
  for (let i = 0; i < pairs.length; i++) {
    const p = pairs[i]!;
    if (i > 0) out += ', ';
    out += p.name + '=' + goQuote(p.value);
  }
  return out + '}';
}

/**
 * Canonical Loki form of a label object: sorted by name, empty values dropped, values quoted like
 * Go's `strconv.Quote`, e.g. `{app="x", env="prod"}`. Names are not validated. This is the form Loki
 * prints and the receiver stores; like Go, it keeps a U+FFFD character raw, which Loki's label parser
 * rejects, so a client encoder must write U+FFFD as `\ufffd` instead.
 */
export function formatLabels(labels: Record<string, string>): string {
  const pairs = Object.keys(labels)
    .sort(byName)
    .filter((name) => labels[name] !== '')
    .map((name) => ({ name, value: labels[name]! }));
  return formatLabelPairs(pairs);
}

/**
 * Loki's rendering of a JSON `stream` object into selector text: keys sorted and written raw
 * (unescaped), values Go-quoted, pairs joined by `, `. The result is then parsed like any label string,
 * which is how an invalid key such as `service.name` becomes a parse error.
 */
export function renderJsonStreamLabels(pairs: ReadonlyArray<readonly [string, string]>): string {
  const sorted = [...pairs].sort((a, b) => byName(a[0], b[0]));
  let out = '{';
  for (let i = 0; i < sorted.length; i++) {
    const [name, value] = sorted[i]!;
    if (i > 0) out += ', ';
    out += name + '=' + goQuote(value);
  }
  return out + '}';
}
