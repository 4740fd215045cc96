import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { LokiReceiver } from '@loki-sdk/testing';
import { client, receiver, until } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/disk-process.mjs', import.meta.url));

interface Started {
  child: ChildProcess;
  output: Promise<string>;
  written: Promise<void>;
  /** Resolves once the child printed `marker`. */
  said(marker: string): Promise<void>;
}

function start(args: string[], diskOptions: Record<string, unknown> = {}, env: Record<string, string> = {}): Started {
  const child = spawn(process.execPath, [fixture, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...env, DISK_OPTIONS: JSON.stringify(diskOptions) },
  });
  let out = '';
  const waiting: Array<{ marker: string; resolve: () => void }> = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiting.splice(0)) {
      if (out.includes(w.marker)) w.resolve();
      else waiting.push(w);
    }
  });
  const said = (marker: string): Promise<void> =>
    new Promise<void>((resolve) => {
      if (out.includes(marker)) resolve();
      else waiting.push({ marker, resolve });
    });
  const output = new Promise<string>((resolve) => child.on('exit', () => resolve(out)));
  return { child, output, written: said('written'), said };
}

/** Entries of `{app="disk"}` the receiver took in over all requests: a duplicate counts twice. */
function received(r: LokiReceiver): number {
  return r.requests.reduce((n, q) => n + q.entriesReceived, 0);
}

async function kill9(p: Started): Promise<void> {
  p.child.kill('SIGKILL');
  await p.output;
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

    const replay = JSON.parse(await start([r.url, dir, 'replay']).output) as {
      result: { ok: boolean };
      stats: { diskEntriesReplayed: number };
    };
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

  it("two live processes on one directory never take each other's segments", async () => {
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
    const rec = (i: number): string =>
      JSON.stringify({ s: '{app="torn"}', l: [['app', 'torn']], t: (ts + BigInt(i)).toString(), m: `ok ${i}` });
    // An orphan of a process that no longer exists (pid 999999999, no lock), with a torn last line.
    writeFileSync(
      join(dir, 'seg-999999999-1-abc-0.seg'),
      `${rec(0)}\n{"garbage\n${rec(1)}\n{"s":"{app=\\"torn\\"}","l":[["app","tor`,
    );
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
    const onDisk = readdirSync(dir)
      .filter((f) => f.endsWith('.seg'))
      .reduce((n, f) => n + statSync(join(dir, f)).size, 0);
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

  it('after kill -9, replays only what Loki never acknowledged: nothing is received twice', async () => {
    const r = await receiver();
    r.setResponseDelay(300); // the records reach the disk before Loki's answer
    const dir = tempDir();
    const base = BigInt(Date.now() - 60_000) * 1_000_000n;
    const n = 2000;
    const writer = start([r.url, dir, 'ack-then-more', String(n), base.toString()], { syncIntervalMillis: 5 });
    await writer.said('acked');
    expect(received(r)).toBe(n);
    await r.stop();
    writer.child.stdin!.write('more\n');
    await writer.written;
    await kill9(writer);
    r.setResponseDelay(0);
    await r.start();

    const replay = JSON.parse(await start([r.url, dir, 'replay']).output) as {
      result: { ok: boolean };
      stats: { diskEntriesReplayed: number };
    };
    expect(replay.stats.diskEntriesReplayed).toBe(n);
    expect(replay.result.ok).toBe(true);
    expect(received(r)).toBe(2 * n);
    const stored = r.entries('{app="disk"}');
    expect(stored.map((e) => e.timestampNs)).toEqual(Array.from({ length: 2 * n }, (_, i) => base + BigInt(i) * 1000n));
    expect(readdirSync(dir).filter((f) => !f.endsWith('.lock'))).toEqual([]);
  }, 30_000);

  // An exit drain that delivers part of the backlog must mark what
  // Loki acknowledged, or the next process replays (and Loki counts) those entries a second time.
  it('an exit drain cut short by its deadline: the next process replays only what the drain did not deliver', async () => {
    const r = await receiver();
    // The drain's first request is stored and answered; its second one is never answered: cut off at the deadline.
    r.failNext({ delayMillis: 0 }, { hangMillis: 30_000 });
    const dir = tempDir();
    const base = BigInt(Date.now() - 60_000) * 1_000_000n;
    const n = 20_000; // 4 requests of 5000
    const exiting = start([r.url, dir, 'exit', String(n), base.toString()], {}, { CLOSE_TIMEOUT_MILLIS: '1500' });
    const { stats } = JSON.parse(await exiting.output) as {
      stats: { entriesSent: number; droppedByReason: { exit_failed: number } };
    };
    expect(stats.entriesSent).toBe(5000);
    expect(stats.droppedByReason.exit_failed).toBe(n - 5000);
    expect(received(r)).toBe(10_000); // the acknowledged request and the one cut off

    const replay = JSON.parse(await start([r.url, dir, 'replay']).output) as {
      result: { ok: boolean };
      stats: { diskEntriesReplayed: number; entriesResent: number };
    };
    expect(replay.result.ok).toBe(true);
    // Only what Loki never acknowledged; the cut-off request (received, never answered) is the one
    // re-send, and counted as such.
    expect(replay.stats.diskEntriesReplayed).toBe(n - 5000);
    expect(replay.stats.entriesResent).toBe(5000);
    expect(received(r)).toBe(n + 5000);
    expect(r.entries('{app="disk"}')).toHaveLength(n);
  }, 30_000);

  it('counts as entriesResent the replayed entries an earlier process had sent without an answer', async () => {
    const r = await receiver();
    r.failNext({ hangMillis: 20_000 }); // Loki got the request; the answer never came
    const dir = tempDir();
    const base = BigInt(Date.now() - 60_000) * 1_000_000n;
    const writer = start([r.url, dir, 'write', '300', base.toString()], { syncIntervalMillis: 5 });
    await writer.written;
    await until(() => r.requests.length > 0);
    await kill9(writer);
    const replay = JSON.parse(await start([r.url, dir, 'replay']).output) as {
      stats: { diskEntriesReplayed: number; entriesResent: number };
    };
    expect(replay.stats).toMatchObject({ diskEntriesReplayed: 300, entriesResent: 300 });
    expect(received(r)).toBe(600); // the re-send Loki may count twice, and we say so
    expect(r.entries('{app="disk"}')).toHaveLength(300);
  }, 30_000);

  it('never claims the segments of a process that is alive but stopped past the heartbeat window', async () => {
    const r = await receiver();
    await r.stop();
    const dir = tempDir();
    const base = BigInt(Date.now() - 60_000) * 1_000_000n;
    const diskOptions = { heartbeatTimeoutMillis: 500 };
    const a = start([r.url, dir, 'write', '3000', base.toString()], diskOptions);
    await a.written;
    a.child.kill('SIGSTOP');
    try {
      // The stopped process's heartbeat goes stale.
      await until(
        () => readdirSync(dir).some((f) => f.endsWith('.lock') && Date.now() - statSync(join(dir, f)).mtimeMs > 1000),
        10_000,
      );
      await r.start();
      const b = JSON.parse(await start([r.url, dir, 'replay'], diskOptions).output) as {
        stats: { diskEntriesReplayed: number };
      };
      expect(b.stats.diskEntriesReplayed).toBe(0);
    } finally {
      a.child.kill('SIGCONT');
    }
    await until(() => r.entries('{app="disk"}').length >= 3000, 15_000);
    await kill9(a);
    expect(received(r)).toBe(3000);
  }, 40_000);

  it('keeps the folder within maxBytes and every segment within segmentMaxBytes, measured after every write', async () => {
    const r = await receiver();
    await r.stop();
    const dir = tempDir();
    const maxBytes = 256 * 1024;
    const segmentMaxBytes = 32 * 1024;
    const { client: c } = client(r, {
      retryInitialDelayMillis: 50,
      diskBuffer: { directory: dir, maxBytes, segmentMaxBytes, syncIntervalMillis: 10 },
    });
    let largestFolder = 0;
    let largestSegment = 0;
    const measure = (): void => {
      let folder = 0;
      const perSegment = new Map<string, number>();
      for (const f of readdirSync(dir)) {
        let size: number;
        try {
          size = statSync(join(dir, f)).size;
        } catch {
          continue; // deleted meanwhile
        }
        folder += size;
        const seg = f.replace(/\.(seg|ack)$/, '');
        if (seg !== f) perSegment.set(seg, (perSegment.get(seg) ?? 0) + size);
      }
      largestFolder = Math.max(largestFolder, folder);
      for (const size of perSegment.values()) largestSegment = Math.max(largestSegment, size);
    };
    for (let round = 0; round < 12; round++) {
      // Bursts of 300 x ~500 B: one sync interval holds ~150 KB, far more than a segment; one of ~600 KB,
      // more than the whole folder may hold.
      const burst = round === 6 ? 1200 : 300;
      for (let i = 0; i < burst; i++) c.push({ message: `${round}/${i} ${'p'.repeat(480 + (i % 40))}` });
      const written = c.stats().diskEntriesWritten;
      await until(() => c.stats().diskEntriesWritten > written);
      measure();
    }
    expect(largestFolder).toBeGreaterThan(maxBytes / 2);
    expect(largestFolder).toBeLessThanOrEqual(maxBytes);
    expect(largestSegment).toBeLessThanOrEqual(segmentMaxBytes);
    expect(c.stats().diskEntriesDropped).toBeGreaterThan(0);
  });

  it('keeps a record larger than a segment off the disk, counted, and still delivers it', async () => {
    const r = await receiver();
    const dir = tempDir();
    const { client: c, errors } = client(r, {
      diskBuffer: { directory: dir, maxBytes: 64 * 1024, segmentMaxBytes: 4096, syncIntervalMillis: 1 },
    });
    r.setResponseDelay(200);
    c.push({ message: 'x'.repeat(10_000) });
    c.push({ message: 'small' });
    await until(() => c.stats().diskEntriesWritten + c.stats().diskEntriesDropped >= 2);
    expect(c.stats()).toMatchObject({ diskEntriesWritten: 1, diskEntriesDropped: 1 });
    expect(errors.map((e) => e.code)).toContain('ERR_LOKI_DISK_FULL');
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(4096);
    await c.flush();
    expect(r.entries().map((e) => e.line.length)).toEqual([10_000, 5]);
  });

  it.runIf(existsSync('/proc/self/stat'))(
    'tells a live owner from a reused pid (start time) and, for another host, goes by the heartbeat',
    async () => {
      const r = await receiver();
      const dir = tempDir();
      const ts = BigInt(Date.now()) * 1_000_000n;
      const startOf = (pid: number): string => {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
      };
      const live = process.ppid; // alive for the whole test
      const orphan = (owner: string, lock: Record<string, unknown>, name: string, heartbeatAgeMillis = 0): void => {
        writeFileSync(
          join(dir, `${owner}-0.seg`),
          `${JSON.stringify({ s: '{app="owners"}', l: [['app', 'owners']], t: ts.toString(), m: name })}\n`,
        );
        writeFileSync(join(dir, `${owner}.lock`), JSON.stringify(lock));
        const at = new Date(Date.now() - heartbeatAgeMillis);
        utimesSync(join(dir, `${owner}.lock`), at, at);
      };
      orphan(
        `seg-${live}-1-a1`,
        { pid: live, host: hostname(), start: startOf(live) },
        'alive here, heartbeat stale',
        60_000,
      );
      orphan(`seg-${live}-2-a2`, { pid: live, host: hostname(), start: '1' }, 'pid reused');
      orphan(`seg-${live}-3-a3`, { pid: live, host: 'another-host' }, 'other host, fresh heartbeat');
      orphan(`seg-${live}-4-a4`, { pid: live, host: 'another-host' }, 'other host, stale heartbeat', 60_000);
      orphan(`seg-${process.pid}-5-a5`, { pid: process.pid, host: hostname(), start: '1' }, 'our pid, a previous life');
      const { client: c } = client(r, { diskBuffer: { directory: dir } });
      await c.flush();
      expect(
        r
          .entries('{app="owners"}')
          .map((e) => e.line)
          .sort(),
      ).toEqual(['other host, stale heartbeat', 'our pid, a previous life', 'pid reused']);
      // A second client of this very process (same pid and start) keeps its segments too.
      const down = await receiver();
      await down.stop();
      const { client: other } = client(down, {
        diskBuffer: { directory: dir, syncIntervalMillis: 1 },
        closeTimeoutMillis: 100,
      });
      other.push({ message: 'mine', timestamp: ts });
      await until(() => other.stats().diskEntriesWritten > 0);
      const { client: third } = client(r, { diskBuffer: { directory: dir } });
      await third.flush();
      expect(third.stats().diskEntriesReplayed).toBe(0);
    },
  );

  it('a directory that cannot be created (a path under a plain file): no throw, reported, memory-only delivery', async () => {
    const r = await receiver();
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'not a directory');
    let made: ReturnType<typeof client> | undefined;
    expect(
      () =>
        (made = client(r, {
          diskBuffer: { directory: join(file, 'segments'), syncIntervalMillis: 10 },
          labels: { app: 'no-disk' },
        })),
    ).not.toThrow();
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
