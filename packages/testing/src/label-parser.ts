/**
 * Parser for the stream label string of a push (`{a="x", b="y"}`), reproducing Loki's
 * `syntax.ParseLabels`, i.e. Prometheus' `promql/parser.ParseMetric` (v0.55) followed by
 * dropping empty values. Error texts follow Prometheus' `<line>:<col>: parse error: …` form,
 * with byte-based columns.
 */
import { decodeGoEscapes, goQuote, goQuoteTruncated } from './go-strings.js';
import { Lexer, METRIC_KEYWORDS, type Token } from './label-lexer.js';
import { LabelSyntaxError } from './label-syntax-error.js';

export { LabelSyntaxError };

/** One label name/value pair. */
export interface LabelPair {
  name: string;
  value: string;
}

function describe(tok: Token): string {
  switch (tok.kind) {
    case 'lbrace':
      return '"{"';
    case 'rbrace':
      return '"}"';
    case 'comma':
      return '","';
    case 'eql':
      return '"="';
    case 'op':
      return `<op:${tok.val}>`;
    case 'ident':
      return `identifier ${goQuote(tok.val)}`;
    case 'metric':
      return `metric identifier ${goQuote(tok.val)}`;
    case 'keyword':
      return `<${tok.val}>`;
    case 'eof':
      return 'end of input';
    case 'string':
      return Buffer.byteLength(tok.val, 'utf8') > 10
        ? `string ${goQuoteTruncated(tok.val, 10)}...`
        : `string ${goQuote(tok.val)}`;
  }
}

function unquote(raw: string): string {
  const quote = raw[0];
  const body = raw.slice(1, -1);
  if (quote === '`') return body;
  return decodeGoEscapes(body, quote === "'" ? "'" : '"');
}

/**
 * Prometheus' `ParseMetric` without Loki's post-processing: returns the pairs sorted by name
 * (duplicates and empty values kept). Throws {@link LabelSyntaxError}.
 */
export function parseMetric(input: string): LabelPair[] {
  const lexer = new Lexer(input);
  const unexpected = (tok: Token, context?: string, expected?: string): never => {
    let msg = `unexpected ${describe(tok)}`;
    if (context) msg += ` in ${context}`;
    if (expected) msg += `, expected ${expected}`;
    throw new LabelSyntaxError(input, tok.pos, msg);
  };
  let tok = lexer.nextToken();
  let metricName: string | undefined;
  if (
    tok.kind === 'ident' ||
    tok.kind === 'metric' ||
    (tok.kind === 'keyword' && METRIC_KEYWORDS.has(tok.val.toLowerCase()))
  ) {
    metricName = tok.val;
    tok = lexer.nextToken();
  }
  const pairs: LabelPair[] = [];
  if (tok.kind === 'lbrace') {
    tok = lexer.nextToken();
    while (tok.kind !== 'rbrace') {
      if (tok.kind !== 'ident') unexpected(tok, 'label set', 'identifier or "}"');
      const name = tok.val;
      tok = lexer.nextToken();
      if (tok.kind !== 'eql') unexpected(tok, 'label set', '"="');
      tok = lexer.nextToken();
      if (tok.kind !== 'string') unexpected(tok, 'label set', 'string');
      pairs.push({ name, value: unquote(tok.val) });
      tok = lexer.nextToken();
      if (tok.kind === 'comma') tok = lexer.nextToken();
      else if (tok.kind !== 'rbrace') unexpected(tok, 'label set', '"," or "}"');
    }
    tok = lexer.nextToken();
  }
  if (tok.kind !== 'eof') unexpected(tok);
  let result = pairs;
  if (metricName !== undefined) {
    result = pairs.filter((p) => p.name !== '__name__');
    result.push({ name: '__name__', value: metricName });
  }
  return result.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Loki's `syntax.ParseLabels`: {@link parseMetric}, then every label name that has an empty value is
 * dropped (Prometheus' label builder drops all pairs of such a name). Duplicate names survive; the
 * per-stream validation rejects them later. Throws {@link LabelSyntaxError}.
 */
export function parseLokiLabels(input: string): LabelPair[] {
  const pairs = parseMetric(input);
  if (!pairs.some((p) => p.value === '')) return pairs;
  const emptyNames = new Set(pairs.filter((p) => p.value === '').map((p) => p.name));
  return pairs.filter((p) => !emptyNames.has(p.name));
}
