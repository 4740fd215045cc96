/**
 * LogQL stream selectors (`{app="x", level=~"err.*"}`) for filtering stored streams. Matchers `=`, `!=`,
 * `=~`, `!~`; regular expressions are fully anchored and `.` matches newlines, as in Loki
 * (Prometheus' `^(?s:…)$`). A missing label matches as the empty string.
 */
import { decodeGoEscapes } from './go-strings.js';
import type { StreamSelector } from './types.js';

/** Matcher operator. */
export type MatchType = '=' | '!=' | '=~' | '!~';

/** One label matcher. */
export interface LabelMatcher {
  name: string;
  type: MatchType;
  value: string;
  /** True when the label value (empty string when absent) satisfies the matcher. */
  matches(value: string): boolean;
}

/** An invalid selector. */
export class SelectorSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorSyntaxError';
  }
}

/**
 * Converts a Go RE2 pattern to a JS RegExp, anchored like Prometheus does unless `anchored` is false (line filters).
 */
export function compileRegex(pattern: string, anchored = true): RegExp {
  let flags = 's';
  let body = pattern;
  const lead = /^\(\?([imsU]+)\)/.exec(body);
  if (lead) {
    if (lead[1]!.includes('i')) flags += 'i';
    if (lead[1]!.includes('m')) flags += 'm';
    body = body.slice(lead[0].length);
  }
  body = body.replaceAll('(?P<', '(?<').replaceAll('\\z', '$(?![\\s\\S])');
  try {
    return new RegExp(anchored ? `^(?:${body})$` : body, flags);
  } catch (err) {
    throw new SelectorSyntaxError(`invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
}

/** Builds a matcher. */
export function createMatcher(name: string, type: MatchType, value: string): LabelMatcher {
  let test: (v: string) => boolean;
  switch (type) {
    case '=':
      test = (v) => v === value;
      break;
    case '!=':
      test = (v) => v !== value;
      break;
    case '=~': {
      const re = compileRegex(value);
      test = (v) => re.test(v);
      break;
    }
    case '!~': {
      const re = compileRegex(value);
      test = (v) => !re.test(v);
      break;
    }
  }
  return { name, type, value, matches: test };
}

const NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;

/**
 * Parses a stream selector at the start of `text`. Returns the matchers and the offset just after `}`.
 */
export function parseSelectorPrefix(text: string): { matchers: LabelMatcher[]; end: number } {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const fail = (msg: string): never => {
    throw new SelectorSyntaxError(`invalid stream selector ${JSON.stringify(text)}: ${msg} at offset ${i}`);
  };
  ws();
  if (text[i] !== '{') fail("expected '{'");
  i++;
  const matchers: LabelMatcher[] = [];
  ws();
  if (text[i] === '}') return { matchers, end: i + 1 };
  for (;;) {
    ws();
    NAME.lastIndex = i;
    const name = NAME.exec(text);
    if (!name) fail('expected a label name');
    i += name![0].length;
    ws();
    const op = ['=~', '!~', '!=', '='].find((o) => text.startsWith(o, i)) as MatchType | undefined;
    if (!op) fail("expected one of '=', '!=', '=~', '!~'");
    i += op!.length;
    ws();
    const quote = text[i];
    let value: string;
    if (quote === '`') {
      const close = text.indexOf('`', i + 1);
      if (close < 0) fail('unterminated raw string');
      value = text.slice(i + 1, close);
      i = close + 1;
    } else if (quote === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) fail('unterminated string');
      try {
        value = decodeGoEscapes(text.slice(i + 1, j), '"');
      } catch (err) {
        return fail((err as Error).message);
      }
      i = j + 1;
    } else {
      return fail('expected a quoted string');
    }
    matchers.push(createMatcher(name![0], op!, value));
    ws();
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text[i] === '}') return { matchers, end: i + 1 };
    fail("expected ',' or '}'");
  }
}

/** Parses a complete stream selector (nothing but whitespace may follow `}`). */
export function parseStreamSelector(text: string): LabelMatcher[] {
  const { matchers, end } = parseSelectorPrefix(text);
  if (text.slice(end).trim() !== '') {
    throw new SelectorSyntaxError(`invalid stream selector ${JSON.stringify(text)}: unexpected content after '}'`);
  }
  return matchers;
}

/** Turns a selector (string or object of equalities) into a predicate over label objects. */
export function compileSelector(selector: StreamSelector | undefined): (labels: Record<string, string>) => boolean {
  if (selector === undefined) return () => true;
  const matchers =
    typeof selector === 'string'
      ? parseStreamSelector(selector)
      : Object.entries(selector).map(([name, value]) => createMatcher(name, '=', value));
  if (matchers.length === 0) return () => true;
  return (labels) =>
    matchers.every((m) => m.matches(Object.prototype.hasOwnProperty.call(labels, m.name) ? labels[m.name]! : ''));
}
