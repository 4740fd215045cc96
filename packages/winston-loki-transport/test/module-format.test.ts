// The built package from both module systems, run the way apps run it.
import { describe, expect, it } from 'vitest';
import { receiver, runFixture } from './helpers.js';

describe('module formats (built package)', () => {
  it('CommonJS: require() returns the class itself, with .LokiTransport and .default', async () => {
    const run = await runFixture('module-shape.cjs', []);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      requireIsClass: true,
      named: true,
      default: true,
      lokiError: true,
      isTransport: true,
      interopDefault: true,
    });
  });

  it('ESM: default and named import are the class', async () => {
    const run = await runFixture('module-shape.mjs', []);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      defaultIsClass: true,
      named: true,
      lokiError: true,
      isTransport: true,
      requireFromEsmIsClass: true,
    });
  });

  it('CommonJS build delivers to Loki (protobuf + snappy through core)', async () => {
    const r = await receiver();
    const run = await runFixture('app.cjs', [r.url, 'exit', '3']);
    expect(run.code).toBe(0);
    expect(r.entries({ entry: 'cjs' })).toHaveLength(3);
    expect(r.requests[0]?.contentType).toBe('application/x-protobuf');
  });
});
