// The CLI reads LOKI_PASSWORD and LOKI_BEARER_TOKEN by core's one rule: set but empty means unset.
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli-args.js';

describe('CLI environment: an empty variable is unset (core envValue)', () => {
  it('LOKI_PASSWORD= does not become an empty password; LOKI_BEARER_TOKEN= sends no token', () => {
    expect(() => parseCliArgs(['--host', 'http://127.0.0.1:3100', '--user', 'ada'], { LOKI_PASSWORD: '' })).toThrow(
      '--user needs --password',
    );
    expect(
      parseCliArgs(['--host', 'http://127.0.0.1:3100', '--user', 'ada'], { LOKI_PASSWORD: 'pw' }).options.basicAuth,
    ).toEqual({ username: 'ada', password: 'pw' });
    expect(
      parseCliArgs(['--host', 'http://127.0.0.1:3100'], { LOKI_BEARER_TOKEN: '' }).options.bearerToken,
    ).toBeUndefined();
  });
});
