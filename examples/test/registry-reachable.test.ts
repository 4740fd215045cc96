// The packed install tests skip when the registry does not answer; the skip must carry npm's own error.
import { closedPort } from '@loki-sdk/testing';
import { describe, expect, it } from 'vitest';
import { registryReachable } from './registry-reachable.js';

describe('registryReachable', () => {
  it("a registry that refuses connections: not reachable, with npm's own error (code, registry URL)", async () => {
    const registry = `http://${await closedPort()}/`;
    const check = await registryReachable({ ...process.env, npm_config_registry: registry });
    expect(check.reachable).toBe(false);
    const error = check.reachable ? '' : check.error;
    expect(error).toContain('npm error code ECONNREFUSED');
    expect(error).toContain(`request to ${registry}-/ping failed`);
  });

  it('npm not answering in time: not reachable, saying so', async () => {
    // A port that accepts the connection and never answers: npm waits on it past our deadline.
    const { createServer } = await import('node:net');
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const check = await registryReachable({ ...process.env, npm_config_registry: `http://127.0.0.1:${port}/` }, 1500);
      expect(check).toEqual({
        reachable: false,
        error: expect.stringContaining('npm ping did not answer within 1500 ms'),
      });
    } finally {
      silent.close();
    }
  });
});
