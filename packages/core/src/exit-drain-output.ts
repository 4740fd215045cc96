import type { DrainBody, DrainResult } from './exit-drain.js';
import type { ResolvedOptions } from './options.js';
import { otlpPartialSuccess } from './otlp-response.js';
import { redactSecrets, redactUrl, secretStrings } from './redact.js';

/**
 * What the exit drain's child printed, one event a line (exit-drain.ts): `try <i>`, `ok <i>` (with OTLP:
 * `ok <i> <status> <answer, base64> <content type, URI-encoded>`, read here for a partial success) and
 * `err <message>`. Whatever it printed holds, also when it was killed: a body without its `ok` was not
 * delivered.
 */
export function readDrainOutput(
  stdout: string,
  bodies: readonly DrainBody[],
  options: Pick<ResolvedOptions, 'headers' | 'pushUrl' | 'proxy'>,
): DrainResult {
  const result: DrainResult = {
    sent: 0,
    failed: 0,
    delivered: bodies.map(() => false),
    tried: bodies.map(() => false),
    partial: bodies.map(() => undefined),
  };
  for (const line of stdout.split('\n')) {
    if (line.startsWith('try ')) {
      const index = Number(line.slice(4));
      if (result.tried[index] === false) result.tried[index] = true;
    } else if (line.startsWith('ok ')) {
      const [indexText, statusText, answer, type] = line.slice(3).split(' ');
      const index = Number(indexText);
      if (result.delivered[index] !== false) continue;
      result.delivered[index] = true;
      result.sent += bodies[index]!.entries;
      if (answer === undefined) continue;
      const partial = otlpPartialSuccess(Buffer.from(answer, 'base64'), decodeURIComponent(type ?? '') || undefined);
      if (partial !== undefined) result.partial[index] = { ...partial, status: Number(statusText) };
    } else if (line.startsWith('err ')) {
      // A proxy may echo our headers.
      result.error = redactSecrets(
        redactUrl(line.slice(4)),
        secretStrings(options.headers, options.pushUrl, options.proxy),
      );
    }
  }
  return result;
}
