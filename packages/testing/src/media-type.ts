/** Go's `mime.ParseMediaType`, reduced to what the push handler needs: the lower-cased media type. */

/** A Content-Type value Go's `mime.ParseMediaType` rejects. */
export class MediaTypeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MediaTypeError';
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

function consumeParam(v: string): [string, string] | undefined {
  let rest = v.replace(/^\s+/, '');
  if (!rest.startsWith(';')) return undefined;
  rest = rest.slice(1).replace(/^\s+/, '');
  const key = TOKEN.exec(rest);
  if (!key) return undefined;
  rest = rest.slice(key[0].length).replace(/^\s+/, '');
  if (!rest.startsWith('=')) return undefined;
  rest = rest.slice(1).replace(/^\s+/, '');
  const token = TOKEN.exec(rest);
  if (token) return [key[0].toLowerCase(), rest.slice(token[0].length)];
  if (!rest.startsWith('"')) return undefined;
  for (let i = 1; i < rest.length; i++) {
    const c = rest[i];
    if (c === '\\') i++;
    else if (c === '"') return [key[0].toLowerCase(), rest.slice(i + 1)];
  }
  return undefined;
}

/** Returns the lower-cased media type (`type/subtype`); throws {@link MediaTypeError} like Go does. */
export function parseMediaType(value: string): string {
  const semi = value.indexOf(';');
  const base = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  if (base === '') throw new MediaTypeError('mime: no media type');
  const type = TOKEN.exec(base);
  if (!type) throw new MediaTypeError('mime: no media type');
  let rest = base.slice(type[0].length);
  if (rest !== '') {
    if (!rest.startsWith('/')) throw new MediaTypeError('mime: expected slash after first token');
    rest = rest.slice(1);
    const sub = TOKEN.exec(rest);
    if (!sub) throw new MediaTypeError('mime: expected token after slash');
    if (rest.slice(sub[0].length) !== '') throw new MediaTypeError('mime: unexpected content after media subtype');
  }
  let params = semi < 0 ? '' : value.slice(semi);
  const seen = new Set<string>();
  while (params.trim() !== '') {
    const consumed = consumeParam(params);
    if (!consumed) {
      if (params.trim() === ';') break; // trailing semicolon is ignored
      throw new MediaTypeError('mime: invalid media parameter');
    }
    const [key, rest] = consumed;
    if (seen.has(key)) throw new MediaTypeError('mime: duplicate parameter name');
    seen.add(key);
    params = rest;
  }
  return base;
}
