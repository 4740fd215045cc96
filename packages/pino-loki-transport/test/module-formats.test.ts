import { describe, expect, it } from 'vitest';
import { fixture, receiver, run } from './helpers.js';

describe('package entry points', () => {
  it('ESM import and CommonJS require both give the factory (default) and the helpers; both ship', async () => {
    const r = await receiver();
    const result = await run(fixture('module-formats.mjs'), { env: { LOKI_URL: r.url } });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      esmDefault: 'function',
      esmNamed: ['function', 'function', 'function', 'function'],
      cjsDefault: 'function',
      cjsNamed: ['function', 'function', 'function', 'function'],
    });
    expect(r.entries({ via: 'esm' })).toHaveLength(1);
    expect(r.entries({ via: 'cjs' })).toHaveLength(1);
  });
});
