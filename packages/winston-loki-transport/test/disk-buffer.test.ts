// core's opt-in disk buffer through the transport: entries a killed process never delivered are
// replayed by the next one.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, receiver, runFixture } from './helpers.js';

describe('diskBuffer option', () => {
  it('a kill -9 with Loki down loses nothing: the next process replays the entries', { timeout: 30_000 }, async () => {
    const r = await receiver();
    await r.stop();
    const dir = mkdtempSync(join(tmpdir(), 'winston-loki-disk-'));
    const writer = spawn(process.execPath, [fixture('disk.mjs'), r.url, dir, 'write', '50'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => {
      let out = '';
      writer.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('written')) resolve();
      });
    });
    const exited = new Promise((resolve) => writer.on('exit', resolve));
    writer.kill('SIGKILL');
    await exited;
    await r.start();

    const replay = await runFixture('disk.mjs', [r.url, dir, 'replay']);
    const { result, stats } = JSON.parse(replay.stdout) as { result: { ok: boolean }; stats: { diskEntriesReplayed: number } };
    expect(stats.diskEntriesReplayed).toBe(50);
    expect(result.ok).toBe(true);
    expect(r.entries({ app: 'disk' }).map((e) => e.line)).toEqual(Array.from({ length: 50 }, (_, i) => `{"message":"durable ${i}","i":${i}}`));
  });
});
