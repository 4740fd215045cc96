import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { drainSync } from '../src/exit-drain.js';
import { resolveOptions } from '../src/options.js';

// drainSync blocks this thread (spawnSync), so the Loki it talks to runs in another process: it never
// answers a request marked `x-hang` and acknowledges the others.
const SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  req.resume();
  if (req.headers['x-hang'] === '1') return;
  req.on('end', () => { res.statusCode = 204; res.end(); });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

let server: ChildProcess | undefined;
afterEach(() => {
  server?.kill();
  server = undefined;
});

async function hangingLoki(): Promise<string> {
  server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(server.stdout!, 'data')) as [Buffer];
  return `http://127.0.0.1:${chunk.toString().trim()}`;
}

describe('the exit drain', () => {
  // What `tried` says decides whether a replay counts as a re-send: a body the child never put on the
  // wire (the deadline came while an earlier one hung) was certainly not stored.
  it('a body left unsent at the deadline is not marked as tried', async () => {
    const url = await hangingLoki();
    const options = resolveOptions({ url, encoding: 'json' });
    const body = { body: Buffer.from('{"streams":[]}'), headers: { 'content-type': 'application/json' }, entries: 1 };
    const hung = { ...body, headers: { ...body.headers, 'x-hang': '1' } };
    // The deadline and the hung request's socket timeout fall on the same millisecond: which of the two
    // fires first varies from run to run, so a few runs are needed to see both orders.
    // 1.5 s: time for the child to start on a loaded machine, so that the first body is on the wire.
    for (let run = 0; run < 4; run++) {
      const result = drainSync(options, [hung, body, body], Date.now() + 1500);
      expect(result.delivered).toEqual([false, false, false]);
      expect(result.tried).toEqual([true, false, false]);
    }
  }, 30_000);

  it('a deadline that passes while the child starts: nothing is marked as tried', async () => {
    const url = await hangingLoki();
    const options = resolveOptions({ url, encoding: 'json' });
    const body = { body: Buffer.from('{"streams":[]}'), headers: { 'content-type': 'application/json' }, entries: 1 };
    // Node starts in more than 20 ms: the child finds the deadline gone before its first request.
    const result = drainSync(options, [body, body, body], Date.now() + 20);
    expect(result.tried).toEqual([false, false, false]);
    expect(result.sent).toBe(0);
  });
});
