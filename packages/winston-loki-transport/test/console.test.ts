// A Console transport beside ours prints exactly what it prints without ours.
import { describe, expect, it } from 'vitest';
import { receiver, runFixture } from './helpers.js';

describe('Console output stays intact', () => {
  it('stdout and stderr are byte-for-byte the same with and without LokiTransport (4 loggers, 8 formats)', async () => {
    // The fixture pins timestamps to 2024 so the output is reproducible; Loki would reject them as too old.
    const r = await receiver({ limits: { rejectOldSamples: false } });
    const without = await runFixture('console.mjs', ['none']);
    const withLoki = await runFixture('console.mjs', [r.url]);
    expect(without.code).toBe(0);
    expect(withLoki.code).toBe(0);
    expect(without.stdout.length).toBeGreaterThan(1000);
    expect(withLoki.stdout).toBe(without.stdout);
    expect(withLoki.stderr).toBe(without.stderr);
    // And ours did its job meanwhile: 8 entries above the level from each of the 4 loggers.
    expect(r.entries({ app: 'console-test' })).toHaveLength(32);
  });
});
