import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';

/**
 * Every way an app may print an object we hand it: `util.inspect` at depths 0 to 8 (and with
 * `showHidden`), `console.error`, `JSON.stringify` (its error text, should it throw). For tests that
 * prove no credential is ever printed: search the renderings with {@link findSecrets}.
 */
export function renderings(value: unknown, label = 'value'): Record<string, string> {
  const out: Record<string, string> = {};
  for (let depth = 0; depth <= 8; depth++) out[`${label} inspect depth ${depth}`] = inspect(value, { depth });
  out[`${label} inspect showHidden`] = inspect(value, { depth: 4, showHidden: true });
  out[`${label} inspect Infinity`] = inspect(value, { depth: Infinity });
  out[`${label} console.error`] = consoleErrorText(value);
  try {
    out[`${label} JSON.stringify`] = String(JSON.stringify(value));
  } catch (error) {
    out[`${label} JSON.stringify (threw)`] = String(error);
  }
  return out;
}

/** What `console.error(...values)` prints, captured from a Console on our own stream. */
export function consoleErrorText(...values: unknown[]): string {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString('utf8');
      callback();
    },
  });
  new Console({ stdout: sink, stderr: sink, colorMode: false }).error(...values);
  return text;
}

/**
 * The secrets to look for: each given string, and the base64 of each `user:password` pair (a basic
 * auth header). Returns `"<where>: <secret>"` for every rendering that shows one.
 */
export function findSecrets(outputs: Record<string, string>, secrets: readonly string[], basicAuthPairs: readonly string[] = []): string[] {
  const needles = [...secrets, ...basicAuthPairs.map((pair) => Buffer.from(pair).toString('base64'))];
  const found: string[] = [];
  for (const [where, text] of Object.entries(outputs)) {
    for (const needle of needles) if (text.includes(needle)) found.push(`${where}: ${needle}`);
  }
  return found;
}
