// core's opt-in disk buffer through the transport: entries a killed process never delivered are
// replayed by the next one.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, receiver, runFixture } from './helpers.js';

describe('diskBuffer option', () => {
  it('a kill -9 with Loki down loses nothing: the next process replays the entries', { timeout: 30_000 }, async () => {
    const r = await receiver();
    await r.stop();
    const dir = mkdtempSync(join(tmpdir(), 'winston-loki-disk-'));
    const writer = spawn(process.execPath, [fixture('disk.mjs'), r.url, dir, 'write', '50'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
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
    const { result, stats } = JSON.parse(replay.stdout) as {
      result: { ok: boolean };
      stats: { diskEntriesReplayed: number };
    };
    expect(stats.diskEntriesReplayed).toBe(50);
    expect(result.ok).toBe(true);
    expect(r.entries({ app: 'disk' }).map((e) => e.line)).toEqual(
      Array.from({ length: 50 }, (_, i) => `{"message":"durable ${i}","i":${i}}`),
    );
  });

  for (const worker of [true, false]) {
    it(
      `a directory that cannot be created: the app goes on, memory-only, and is told (${worker ? 'worker' : 'in-thread'})`,
      { timeout: 30_000 },
      async () => {
        const r = await receiver();
        const file = join(mkdtempSync(join(tmpdir(), 'winston-loki-disk-')), 'a-file');
        writeFileSync(file, 'not a directory');
        const run = await runFixture('disk-unusable.mjs', [r.url, join(file, 'segments'), worker ? '1' : '0']);
        expect(run.stderr).not.toMatch(/ENOTDIR|Uncaught|Error:/);
        expect(run.code).toBe(0);
        const { result, stats, codes } = JSON.parse(run.stdout) as {
          result: { ok: boolean };
          stats: { diskEntriesWritten: number };
          codes: string[];
        };
        expect(result.ok).toBe(true);
        expect(codes).toContain('ERR_LOKI_DISK_WRITE');
        expect(stats.diskEntriesWritten).toBe(0);
        expect(r.entries({ app: 'disk-unusable' }).map((e) => e.line)).toEqual(
          [0, 1, 2].map((i) => JSON.stringify({ message: `memory-only ${i}` })),
        );
      },
    );
  }
});
