import { format } from 'logform';

type FormatLike = { transform?: unknown; options?: unknown } | null | undefined;

// Every json() instance of one logform copy shares this transform function (logform's format()
// puts it on the prototype). Another logform copy simply never matches: the reuse below is then off.
const JSON_TRANSFORM = format.json().transform;

/**
 * True when this format is logform's json() with options that leave a flat info's values alone,
 * so `info[MESSAGE]` is exactly the info's string-keyed fields as JSON (safe-stable-stringify:
 * sorted keys). winston's own default format is such a json(). A custom `replacer` may change
 * values and `maximumBreadth` may drop keys: then it is not reused.
 */
export function isPlainJsonFormat(format: FormatLike): boolean {
  if (format === null || format === undefined || format.transform !== JSON_TRANSFORM) return false;
  const options = format.options as { replacer?: unknown; maximumBreadth?: unknown } | undefined;
  return (
    options === undefined ||
    options === null ||
    (options.replacer === undefined && options.maximumBreadth === undefined)
  );
}
