import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LokiSDK, LokiOptionsError, SDK_DEFAULTS } from '../src/sdk-entry.js';
import { receiver, until } from './helpers.js';

const sdks: LokiSDK[] = [];
afterEach(async () => {
  await Promise.all(sdks.splice(0).map((s) => s.close()));
  vi.restoreAllMocks();
});

function sdk(options: ConstructorParameters<typeof Object>[0]): LokiSDK {
  const s = new LokiSDK().init({ printToConsole: false, exitHook: false, ...(options as object) } as never);
  sdks.push(s);
  return s;
}

describe('direct SDK API (loki-sdk-py style)', () => {
  it('has the documented defaults', () => {
    expect(SDK_DEFAULTS).toMatchObject({
      environment: 'production',
      endpoint: 'http://localhost:3100/loki/api/v1/push',
      useSendBeacon: true,
      enableOfflineBuffer: true,
      bufferSize: 1000,
      flushInterval: 5,
      maxRetries: 3,
    });
  });

  it('requires appName with a clear error', () => {
    expect(() => new LokiSDK().init({} as never)).toThrow(LokiOptionsError);
    expect(() => new LokiSDK().init({} as never)).toThrow(/appName is required/);
  });

  it('logs before init are a documented no-op, never a crash', () => {
    const fresh = new LokiSDK();
    expect(fresh.initialized).toBe(false);
    expect(fresh.info('ignored')).toBeUndefined();
  });

  it('stores the quick start snippets as Loki would', async () => {
    const r = await receiver();
    const s = sdk({ appName: 'demo', environment: 'staging', endpoints: { loki: r.pushUrl } });
    s.info('User login successful', { label_user_id: '12345', label_action: 'login' });
    s.error('Database connection failed', { label_component: 'database', label_error_code: 'DB001' });
    s.info('System information', { labels: { service: 'user-service', version: '1.0.0' } });
    s.info('Business operation', { label_user_id: '12345', operation_type: 'payment', amount: 100.5, currency: 'USD' });
    expect((await s.flush()).ok).toBe(true);
    const byLine = Object.fromEntries(r.entries().map((e) => [e.line, e]));
    expect(byLine['User login successful']!.labels).toEqual({
      app: 'demo',
      environment: 'staging',
      level: 'info',
      user_id: '12345',
      action: 'login',
    });
    expect(byLine['Database connection failed']!.labels).toEqual({
      app: 'demo',
      environment: 'staging',
      level: 'error',
      component: 'database',
      error_code: 'DB001',
    });
    expect(byLine['System information']!.labels).toEqual({
      app: 'demo',
      environment: 'staging',
      level: 'info',
      service: 'user-service',
      version: '1.0.0',
    });
    expect(byLine['Business operation']!.metadata).toEqual({
      operation_type: 'payment',
      amount: '100.5',
      currency: 'USD',
    });
  });

  it("keeps an Error field's stack in metadata", async () => {
    const r = await receiver();
    const s = sdk({ appName: 'demo', endpoints: { loki: r.pushUrl } });
    s.critical('crashed', { err: new Error('disk full') });
    await s.flush();
    const md = r.entries()[0]!.metadata;
    expect(JSON.parse(md.err!).stack).toContain('Error: disk full');
    expect(r.entries()[0]!.labels.level).toBe('critical');
  });

  it('useSendBeacon false: each call returns a promise settled when Loki acknowledged', async () => {
    const r = await receiver();
    const s = sdk({ appName: 'sync', endpoints: { loki: r.pushUrl }, useSendBeacon: false });
    const result = await s.warning('acknowledged now');
    expect(result).toMatchObject({ ok: true, acknowledged: 1 });
    expect(r.entries().map((e) => e.line)).toEqual(['acknowledged now']);
    expect(r.entries()[0]!.labels.level).toBe('warning');
  });

  it('bufferSize entries trigger a send without waiting for flushInterval', async () => {
    const r = await receiver();
    const s = sdk({ appName: 'b', endpoints: { loki: r.pushUrl }, bufferSize: 5, flushInterval: 3600 });
    for (let i = 0; i < 5; i++) s.debug(`d${i}`);
    await r.waitForEntries(5);
    expect(r.requests).toHaveLength(1);
  });

  it('many concurrent async tasks: every entry arrives', async () => {
    const r = await receiver();
    const s = sdk({ appName: 'conc', endpoints: { loki: r.pushUrl } });
    await Promise.all(
      Array.from({ length: 50 }, async (_, task) => {
        for (let i = 0; i < 20; i++) {
          s.info(`task ${task} log ${i}`, { label_task: String(task % 5) });
          await new Promise((res) => setImmediate(res));
        }
      }),
    );
    await s.flush();
    expect(r.entries()).toHaveLength(1000);
  });

  it('offline buffer: entries wait while Loki is down and go out when it returns', async () => {
    const r = await receiver();
    const s = sdk({
      appName: 'off',
      endpoints: { loki: r.pushUrl },
      bufferSize: 2,
      retryInitialDelayMillis: 20,
      retryMaxDelayMillis: 100,
      onError: () => {},
    });
    await r.stop();
    for (let i = 0; i < 6; i++) s.info(`held ${i}`);
    await new Promise((res) => setTimeout(res, 300));
    await r.start();
    const result = await s.flush({ timeoutMillis: 10_000 });
    expect(result.ok).toBe(true);
    expect(r.entries()).toHaveLength(6);
  });

  it('prints a readable line to the console by default, and nothing when turned off', async () => {
    const r = await receiver();
    const spy = vi.spyOn(console, 'info').mockImplementation(() => {});
    const loud = new LokiSDK().init({ appName: 'loud', endpoints: { loki: r.pushUrl }, exitHook: false });
    sdks.push(loud);
    loud.info('hello console', { label_a: 'b', n: 1 });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(String(spy.mock.calls[0]![0])).toMatch(/^\d{4}-\d\d-\d\dT.* INFO \[loud\] hello console label_a=b n=1$/);
    const quiet = sdk({ appName: 'quiet', endpoints: { loki: r.pushUrl } });
    quiet.info('silent');
    expect(spy).toHaveBeenCalledTimes(1);
  });
});

describe('direct SDK API: bursts, rate limits, bounds (issue 13)', () => {
  it(
    'a 100 000-call burst with Loki up is stored whole under the defaults, and flush says so',
    { timeout: 60_000 },
    async () => {
      const r = await receiver();
      const s = sdk({ appName: 'burst', endpoints: { loki: r.pushUrl } });
      for (let i = 0; i < 100_000; i++) s.info(`burst ${i}`);
      const result = await s.flush({ timeoutMillis: 50_000 });
      expect(r.stats().entriesStored).toBe(100_000);
      expect(new Set(r.entries().map((e) => e.line)).size).toBe(100_000);
      expect(result).toMatchObject({ ok: true, acknowledged: 100_000, dropped: 0, pending: 0 });
      expect(s.stats()!.entriesDropped).toBe(0);
    },
  );

  it(
    '20 000 entries of ~300 B at a tenant limited to 1 MiB/s (429) all arrive via backoff',
    { timeout: 90_000 },
    async () => {
      const mib = 1024 * 1024;
      const r = await receiver({ limits: { ingestionRateBytesPerSecond: mib, ingestionBurstBytes: mib } });
      const s = sdk({ appName: 'rate', endpoints: { loki: r.pushUrl }, onError: () => {} });
      const pad = 'x'.repeat(280);
      for (let i = 0; i < 20_000; i++) s.info(`${pad} ${String(i).padStart(5, '0')}`);
      const result = await s.flush({ timeoutMillis: 80_000 });
      expect(r.requests.some((q) => q.status === 429)).toBe(true);
      expect(r.stats().entriesStored).toBe(20_000);
      expect(result).toMatchObject({ ok: true, acknowledged: 20_000, dropped: 0 });
    },
  );

  it(
    'offlineBufferSize bounds what is held while Loki is unreachable (newest kept, the rest counted)',
    { timeout: 30_000 },
    async () => {
      const r = await receiver();
      const s = sdk({
        appName: 'off',
        endpoints: { loki: r.pushUrl },
        offlineBufferSize: 100,
        bufferSize: 50,
        retryInitialDelayMillis: 20,
        retryMaxDelayMillis: 100,
        onError: () => {},
      });
      await r.stop();
      s.info('probe');
      await until(() => s.stats()!.offline);
      for (let i = 0; i < 500; i++) s.info(`held ${i}`);
      expect(s.stats()!.bufferedEntries).toBeLessThanOrEqual(100);
      await r.start();
      const result = await s.flush({ timeoutMillis: 20_000 });
      const stored = r.entries().map((e) => e.line);
      expect(stored).toHaveLength(100);
      expect(stored.at(-1)).toBe('held 499');
      expect(s.stats()!.droppedByReason.buffer_full).toBe(401);
      expect(result).toMatchObject({ ok: false, acknowledged: 100, dropped: 401, pending: 0 });
    },
  );

  it('endpoints.loki may be a base URL: the push path is appended', async () => {
    const r = await receiver();
    const base = sdk({ appName: 'base', endpoints: { loki: r.url } });
    base.info('to the base URL');
    const slash = sdk({ appName: 'slash', endpoints: { loki: `${r.url}/` } });
    slash.info('to the base URL with a slash');
    expect(await base.flush()).toMatchObject({ ok: true, acknowledged: 1 });
    expect(await slash.flush()).toMatchObject({ ok: true, acknowledged: 1 });
    expect(
      r
        .entries()
        .map((e) => e.line)
        .sort(),
    ).toEqual(['to the base URL', 'to the base URL with a slash']);
    expect(r.requests.map((q) => q.status)).toEqual([204, 204]);
  });
});

describe('direct SDK API: hostile input (issue 15)', () => {
  it('a fields object with a throwing getter or a hostile Proxy never throws into the app; other entries are stored', async () => {
    const r = await receiver();
    const errors: Array<{ code: string }> = [];
    const s = sdk({
      appName: 'hostile',
      endpoints: { loki: r.pushUrl },
      onError: (e: { code: string }) => errors.push(e),
    });
    const getter = Object.defineProperty({ ok: 1 }, 'bad', {
      enumerable: true,
      get: () => {
        throw new Error('getter boom');
      },
    });
    const proxy = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('ownKeys boom');
        },
        get: () => {
          throw new Error('get boom');
        },
        getOwnPropertyDescriptor: () => {
          throw new Error('gopd boom');
        },
      },
    );
    s.info('before');
    expect(() => s.info('getter', getter)).not.toThrow();
    expect(() => s.error('proxy', proxy as Record<string, unknown>)).not.toThrow();
    const loud = sdk({
      appName: 'hostile-print',
      endpoints: { loki: r.pushUrl },
      printToConsole: true,
      onError: () => {},
    });
    vi.spyOn(console, 'info').mockImplementation(() => {});
    expect(() => loud.info('printed getter', getter)).not.toThrow();
    s.info('after', { fine: true });
    const result = await s.flush();
    expect(r.entries({ app: 'hostile' }).map((e) => e.line)).toEqual(['before', 'after']);
    expect(s.stats()!.droppedByReason.invalid_record).toBe(2);
    expect(result).toMatchObject({ ok: false, acknowledged: 2, dropped: 2 });
    expect(errors.map((e) => e.code)).toContain('ERR_LOKI_INVALID_RECORD');
  });
});

describe('direct SDK API in other threads and processes', () => {
  it('several worker threads, each with its own SDK: all 50 logs arrive', async () => {
    const r = await receiver();
    const { Worker } = await import('node:worker_threads');
    const script = fileURLToPath(new URL('./fixtures/sdk-worker.mjs', import.meta.url));
    await Promise.all(
      Array.from(
        { length: 5 },
        (_, id) =>
          new Promise<void>((resolve, reject) => {
            const w = new Worker(script, { workerData: { url: r.pushUrl, id } });
            w.on('error', reject);
            w.on('exit', () => resolve());
          }),
      ),
    );
    await r.waitForEntries(50);
    expect(new Set(r.entries().map((e) => e.line)).size).toBe(50);
  });

  it('a child process that logs through initSdk then exits delivers everything', async () => {
    const r = await receiver();
    const script = fileURLToPath(new URL('./fixtures/sdk-exit.mjs', import.meta.url));
    const code = await new Promise((resolve) =>
      spawn(process.execPath, [script, r.pushUrl], { stdio: 'ignore' }).on('exit', resolve),
    );
    expect(code).toBe(0);
    expect(r.entries().map((e) => e.line)).toEqual(['starting', 'about to exit']);
  });
});
