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
      esmReturns: 'stream',
      cjsReturns: 'promise',
      cjsStream: 'stream',
      cjsNamed: ['function', 'function', 'function', 'function'],
    });
    expect(r.entries({ via: 'esm' })).toHaveLength(1);
    expect(r.entries({ via: 'cjs' })).toHaveLength(1);
  });

  it('the README says what each returns in the main thread, and that pino awaits the factory', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toMatch(/### Main thread[\s\S]*await pinoLokiTransport\(/);
    expect(readme).toContain('returns a Promise of the stream');
  });
});
