import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { metadataValueToString } from '../src/safe-stringify.js';

describe('a number as metadata text', () => {
  it("is String()'s text, for integers (written without V8's number-string cache) and any other number", () => {
    for (const n of [0, -0, 1, -1, 42, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 2 ** 60, 1e21, 1.5, -0.1, NaN, Infinity]) {
      expect(metadataValueToString(n)).toBe(String(n));
    }
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.double()), (n) => {
        expect(metadataValueToString(n)).toBe(String(n));
      }),
    );
  });
});
