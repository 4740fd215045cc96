import { describe, expect, it } from 'vitest';
import { envValue } from '../src/index.js';

describe('envValue: the one rule for reading an environment variable', () => {
  it('set but empty means unset; any other value is kept as it is', () => {
    const env = { EMPTY: '', SET: 'http://loki:3100', SPACE: ' ' };
    expect(envValue('EMPTY', env)).toBeUndefined();
    expect(envValue('MISSING', env)).toBeUndefined();
    expect(envValue('SET', env)).toBe('http://loki:3100');
    expect(envValue('SPACE', env)).toBe(' ');
    expect(envValue('EMPTY', env) ?? 'default').toBe('default');
  });
});
