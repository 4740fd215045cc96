import { describe, expect, it } from 'vitest';
import { fixture, receiver, run } from './helpers.js';

describe('console output stays intact', () => {
  it.each([
    ['pino/file to stdout', 'file'],
    ['pino-pretty (colorize false)', 'pretty'],
  ])('%s: stdout is byte for byte the same with and without our target', async (_name, dest) => {
    const r = await receiver();
    const env = { LOKI_URL: r.url, DEST: dest, FIXED_MS: String(Date.now() - 60_000) };
    const without = await run(fixture('console.mjs'), { env: { ...env, WITH_LOKI: '0' } });
    const withLoki = await run(fixture('console.mjs'), { env: { ...env, WITH_LOKI: '1' } });

    expect(without.code).toBe(0);
    expect(withLoki.code).toBe(0);
    expect(without.stdout.length).toBeGreaterThan(1000);
    expect(Buffer.from(withLoki.stdout)).toEqual(Buffer.from(without.stdout));
    expect(withLoki.stderr).toBe(without.stderr);
    // Our target got the same records, label fields included as labels, not in other outputs.
    expect(r.entries()).toHaveLength(507);
    if (dest === 'file') expect(without.stdout).toContain('"label_service":"auth"');
    expect(r.entries({ service: 'auth', region: 'eu' })).toHaveLength(1);
  });
});
