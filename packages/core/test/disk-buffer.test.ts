import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { client, receiver, until } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/disk-process.mjs', import.meta.url));

function start(args: string[]): { child: ChildProcess; output: Promise<string>; written: Promise<void> } {
  const child = spawn(process.execPath, [fixture, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let onWritten: () => void = () => {};
  const written = new Promise<void>((resolve) => (onWritten = resolve));
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('written')) onWritten();
  });
  const output = new Promise<string>((resolve) => child.on('exit', () => resolve(out)));
  return { child, output, written };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'loki-disk-'));
}

describe('disk buffer', () => {
  it('replays, after kill -9, what Loki never acknowledged, with the original timestamps; a second replay adds nothing', async () => {
    const r = await receiver();
    await r.stop();
    const dir = tempDir();
    const base = BigInt(Date.now() - 60_000) * 1_000_000n;
    const writer = start([r.url, dir, 'write', '200', base.toString()]);
    await writer.written;
    writer.child.kill('SIGKILL');
    await writer.output;
    await r.start();

    const replay = JSON.parse(await start([r.url, dir, 'replay']).output) as { result: { ok: boolean }; stats: { diskEntriesReplayed: number } };
    expect(replay.stats.diskEntriesReplayed).toBe(200);
    expect(replay.result.ok).toBe(true);
    const stored = r.entries('{app="disk"}');
    expect(stored).toHaveLength(200);
    expect(stored.map((e) => e.timestampNs)).toEqual(Array.from({ length: 200 }, (_, i) => base + BigInt(i) * 1000n));
    expect(stored[199]!.line).toBe('durable 199');

    const again = JSON.parse(await start([r.url, dir, 'replay']).output) as { stats: { diskEntriesReplayed: number } };
    expect(again.stats.diskEntriesReplayed).toBe(0);
    expect(r.entries('{app="disk"}')).toHaveLength(200);
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg'))).toEqual([]);
  }, 30_000);

  it('two live processes on one directory never take each other\'s segments', async () => {
    const r = await receiver();
    const dead = await receiver();
    await dead.stop();
    const dir = tempDir();
    const base = BigInt(Date.now() - 60_000) * 1_000_000n;
    const a = start([dead.url, dir, 'write', '50', base.toString()]);
    await a.written;
    // B starts while A is alive and holds unacknowledged entries: B must leave them alone.
    const b = JSON.parse(await start([r.url, dir, 'replay']).output) as { stats: { diskEntriesReplayed: number } };
    expect(b.stats.diskEntriesReplayed).toBe(0);
    expect(r.entries('{app="disk"}')).toHaveLength(0);
    a.child.kill('SIGKILL');
    await a.output;
    const c = JSON.parse(await start([r.url, dir, 'replay']).output) as { stats: { diskEntriesReplayed: number } };
    expect(c.stats.diskEntriesReplayed).toBe(50);
    expect(r.entries('{app="disk"}')).toHaveLength(50);
  }, 30_000);

  it('skips a corrupt or torn segment tail with a report, and replays the rest', async () => {
    const r = await receiver();
    const dir = tempDir();
    const ts = BigInt(Date.now()) * 1_000_000n;
    const rec = (i: number): string => JSON.stringify({ s: '{app="torn"}', l: [['app', 'torn']], t: (ts + BigInt(i)).toString(), m: `ok ${i}` });
    // An orphan of a process that no longer exists (pid 999999999, no lock), with a torn last line.
    writeFileSync(join(dir, 'seg-999999999-1-abc-0.seg'), `${rec(0)}\n{"garbage\n${rec(1)}\n{"s":"{app=\\"torn\\"}","l":[["app","tor`);
    const { client: c, errors } = client(r, { diskBuffer: { directory: dir } });
    await c.flush();
    expect(r.entries('{app="torn"}').map((e) => e.line)).toEqual(['ok 0', 'ok 1']);
    expect(c.stats()).toMatchObject({ diskEntriesReplayed: 2, diskCorruptRecords: 2 });
    expect(errors.filter((e) => e.code === 'ERR_LOKI_DISK_CORRUPT')).toHaveLength(2);
  });

  it('stays within its byte bound, deleting the oldest segments and counting them', async () => {
    const r = await receiver();
    await r.stop();
    const dir = tempDir();
    const { client: c, errors } = client(r, {
      retryInitialDelayMillis: 50,
      diskBuffer: { directory: dir, maxBytes: 64 * 1024, segmentMaxBytes: 16 * 1024, syncIntervalMillis: 10 },
    });
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 20; i++) c.push({ message: 'p'.repeat(500) });
      const written = c.stats().diskEntriesWritten;
      await until(() => c.stats().diskEntriesWritten > written);
    }
    const onDisk = readdirSync(dir).filter((f) => f.endsWith('.seg')).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    expect(onDisk).toBeLessThanOrEqual(64 * 1024 + 16 * 1024 + 1024);
    expect(c.stats().diskEntriesDropped).toBeGreaterThan(0);
    expect(errors.map((e) => e.code)).toContain('ERR_LOKI_DISK_FULL');
  });

  it('leaves nothing behind once everything is acknowledged', async () => {
    const r = await receiver();
    const dir = tempDir();
    const { client: c } = client(r, { diskBuffer: { directory: dir, syncIntervalMillis: 1 } });
    for (let i = 0; i < 100; i++) c.push({ message: `m${i}` });
    await until(() => c.stats().diskEntriesWritten + c.stats().entriesSent >= 100);
    await c.close();
    expect(r.entries()).toHaveLength(100);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a directory that cannot be created (a path under a plain file): no throw, reported, memory-only delivery', async () => {
    const r = await receiver();
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'not a directory');
    let made: ReturnType<typeof client> | undefined;
    expect(() => (made = client(r, { diskBuffer: { directory: join(file, 'segments'), syncIntervalMillis: 10 }, labels: { app: 'no-disk' } }))).not.toThrow();
    const { client: c, errors } = made!;
    c.push({ message: 'kept in memory' });
    expect((await c.flush()).ok).toBe(true);
    expect(r.entries({ app: 'no-disk' }).map((e) => e.line)).toEqual(['kept in memory']);
    const disk = errors.filter((e) => e.code === 'ERR_LOKI_DISK_WRITE');
    expect(disk).toHaveLength(1);
    expect(disk[0]!.message).toMatch(/cannot use .*segments.*memory only/);
    expect(c.stats().diskEntriesWritten).toBe(0);
  });
});
