// The one record every subject logs: same fields, same message, same label field.
// `i` is unique per call, so the parent can count exactly which entries reached the receiver.
export const MESSAGE = 'request served';
export const ROUTES = ['/checkout', '/cart', '/search', '/login'];

/** Fields of call number i (built per call: building them is part of what an app pays). */
export function fields(i) {
  return { i, user: 'u' + (i % 100), label_route: ROUTES[i & 3] };
}

/** The `i` of a stored entry: from a JSON line, a text line with JSON meta, or structured metadata. */
const I_IN_LINE = /"i":(\d+)/;
export function indexOf(entry) {
  const m = I_IN_LINE.exec(entry.line);
  if (m !== null) return Number(m[1]);
  const meta = entry.metadata?.i;
  return meta === undefined ? -1 : Number(meta);
}
