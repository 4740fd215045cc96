import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIENT_OPTION_NAMES } from '@loki-sdk/core/adapter';
import { FLAGS, parseCliArgs, usage } from '../src/cli-args.js';
import { TRANSPORT_OPTION_NAMES } from '../src/options.js';
import { cliPath, receiver, run } from './helpers.js';

const now = Date.now();
const input =
  [
    JSON.stringify({ level: 30, time: now, pid: 1, hostname: 'h', label_service: 'api', msg: 'first' }),
    'not json at all',
    '',
    JSON.stringify({ level: 50, time: now + 1, pid: 1, hostname: 'h', err: { message: 'bad' }, msg: 'second' }),
    JSON.stringify({ level: 35, time: now + 2, msg: 'custom' }),
  ].join('\n') + '\n';

describe('CLI: node app.js | pino-loki-transport', () => {
  it('ships stdin NDJSON (non-JSON lines as plain lines), copies the input to stdout, exits 0 at end of input', async () => {
    const r = await receiver();
    const result = await run(cliPath, {
      args: ['--host', r.url, '--labels', '{"app":"cli"}', '--level-map', '{"35":"notice"}'],
      input,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(input);
    const entries = r.entries();
    expect(entries.map((e) => e.line)).toEqual([
      JSON.stringify({ level: 30, time: now, pid: 1, hostname: 'h', msg: 'first' }),
      'not json at all',
      JSON.stringify({ level: 50, time: now + 1, pid: 1, hostname: 'h', err: { message: 'bad' }, msg: 'second' }),
      JSON.stringify({ level: 35, time: now + 2, msg: 'custom' }),
    ]);
    expect(entries.map((e) => e.labels)).toEqual([
      { app: 'cli', level: 'info', service: 'api' },
      { app: 'cli' },
      { app: 'cli', level: 'error' },
      { app: 'cli', level: 'notice' },
    ]);
    expect(entries[0]!.timestampNs).toBe(BigInt(now) * 1_000_000n);
  });

  it('takes core options as flags: tenant, basic auth, encoding, line format, pino-loki spellings', async () => {
    const r = await receiver({ authEnabled: true });
    const result = await run(cliPath, {
      args: [
        '--hostname',
        r.url,
        '--tenant',
        'acme',
        '--basic-auth',
        'me:secret',
        '--encoding',
        'json',
        '--line-format',
        'message',
        '--interval',
        '0.05',
        '--no-stdout',
      ],
      input,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    const entries = r.entries(undefined, { tenant: 'acme' });
    expect(entries.map((e) => e.line)).toEqual(['first', 'not json at all', 'second', 'custom']);
    // (Loki 3.4-3.5 keep JSON-pushed metadata values escaped, so `err` is not compared here.)
    expect(entries[2]!.metadata).toMatchObject({ pid: '1' });
    // --hostname and --interval are pino-loki's flags: its streams, hostname a label (not metadata).
    expect(entries[2]!.metadata).not.toHaveProperty('hostname');
    expect(entries[2]!.labels).toMatchObject({ hostname: 'h', level: 'error' });
    expect(r.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('me:secret').toString('base64')}`);
    expect(r.requests[0]!.contentType).toBe('application/json');
    // Credentials never reach the output.
    expect(result.stderr).not.toContain('secret');
  });

  it('reads the password from LOKI_PASSWORD so it stays out of the process list', async () => {
    const r = await receiver();
    const result = await run(cliPath, {
      args: ['--host', r.url, '-u', 'me', '--no-stdout'],
      input,
      env: { LOKI_PASSWORD: 'pw' },
    });
    expect(result.code).toBe(0);
    expect(r.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('me:pw').toString('base64')}`);
  });

  it('prints delivery errors to stderr and exits 1 when entries were not delivered; --silence-errors keeps quiet', async () => {
    const r = await receiver({ authEnabled: true }); // no tenant: 401 no org id
    const loud = await run(cliPath, { args: ['--host', r.url, '--no-stdout'], input });
    expect(loud.code).toBe(1);
    expect(loud.stderr).toContain('ERR_LOKI_REJECTED');
    expect(loud.stderr).toContain('no org id');
    const quiet = await run(cliPath, { args: ['--host', r.url, '--no-stdout', '--silence-errors'], input });
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).toBe('');
  });

  it('a dead Loki: exits within the close deadline', async () => {
    const r = await receiver();
    const url = r.url;
    await r.close();
    const result = await run(cliPath, {
      args: ['--host', url, '--close-timeout-millis', '1000', '--no-stdout', '--silence-errors'],
      input,
    });
    expect(result.code).toBe(1);
    expect(result.elapsedMillis).toBeLessThan(5000);
  });

  it('--help prints usage; an unknown flag exits 2 with the usage', async () => {
    const help = await run(cliPath, { args: ['--help'] });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--batch-interval-millis');
    const bad = await run(cliPath, { args: ['--bogus'] });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Usage:');
  });
});

describe('parseCliArgs', () => {
  it('maps flags to options', () => {
    const config = parseCliArgs(
      [
        '--url',
        'https://logs/x',
        '--headers',
        'a=1,b=2',
        '--props-to-labels',
        'x, y',
        '--ca-file',
        '/ca.pem',
        '--insecure',
        '--no-offline-buffer',
        '--level-label',
        'false',
        '--batch-max-entries',
        '100',
        '--endpoint',
        '/ignored-when-url',
      ],
      { LOKI_BEARER_TOKEN: 't' },
    );
    expect(config.options).toEqual({
      url: 'https://logs/x',
      headers: { a: '1', b: '2' },
      propsToLabels: ['x', 'y'],
      tls: { caFile: '/ca.pem', rejectUnauthorized: false },
      offlineBuffer: false,
      levelLabel: false,
      batchMaxEntries: 100,
      bearerToken: 't',
    });
    expect(parseCliArgs(['--host', 'http://h:1', '--endpoint', 'custom/push']).options.url).toBe(
      'http://h:1/custom/push',
    );
    expect(() => parseCliArgs(['--batch-max-entries', 'many'])).toThrow('--batch-max-entries must be a number');
    expect(() => parseCliArgs(['--user', 'me'])).toThrow('--user needs --password');
  });
});

describe('CLI: unusable values exit 2 at start-up, before reading stdin', () => {
  /** Runs the CLI with stdin held open: a CLI that reads on instead of exiting is killed at the deadline. */
  async function startUp(args: string[]): Promise<{ code: number | null; stderr: string }> {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [cliPath, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearTimeout(timer);
    return { code, stderr };
  }

  it.each([
    [['--host', 'ftp://x'], 'host: Loki URL must be http: or https:, got ftp:'],
    [['--encoding', 'brotli'], `encoding must be one of 'protobuf', 'json', 'json-gzip', got a string ("brotli")`],
    [['--line-format', 'xml'], `lineFormat must be one of 'json', 'message', got a string ("xml")`],
    [['--batch-max-entries', '0'], 'batchMaxEntries must be a number >= 1, got a number (0)'],
    [['--tenant', 'acme\r\nX-Evil: 1'], 'tenantId must not contain CR, LF or other control characters'],
    [['--ca-file', '/nonexistent/ca.pem'], 'cannot read TLS CA file /nonexistent/ca.pem'],
  ])('%j', async (args, message) => {
    const result = await startUp(['--no-stdout', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`pino-loki-transport: ${message}`);
  });

  it('a misspelt flag: exit 2 with a did-you-mean', async () => {
    const result = await startUp(['--hots', 'http://x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pino-loki-transport: unknown option --hots (did you mean --host?)');
  });

  it('the summary counts in words that agree: "1 entry not delivered"', async () => {
    const r = await receiver({ authEnabled: true });
    const one = `${JSON.stringify({ level: 30, time: Date.now(), msg: 'only' })}\n`;
    const result = await run(cliPath, { args: ['--host', r.url, '--no-stdout'], input: one });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('pino-loki-transport: 1 entry not delivered');
    expect(result.stderr).not.toContain('1 entries');
  });
});

describe('CLI: what pino-loki users and every option need', () => {
  const record = (extra: object) =>
    JSON.stringify({ level: 40, time: Date.now(), pid: 1, hostname: 'box-1', ...extra, msg: 'careful' });

  it("pino-loki 3's flags are accepted and do what they did: hostname label, its level names, meta as metadata, convertArrays", async () => {
    const r = await receiver();
    const args = [
      '--hostname',
      r.url,
      '-b',
      '-i',
      '0.05',
      '--batching-max-buffer-size',
      '100',
      '-t',
      '5000',
      '--convertArrays',
      '--structuredMetaKey',
      'meta',
      '--propsLabels',
      'region',
      '-l',
      '{"app":"migrated"}',
      '--headers',
      'x-a=1',
      '-r',
      '-s',
    ];
    const result = await run(cliPath, {
      args,
      input: `${record({ region: 'eu', tags: ['a'], meta: { traceId: 't-1' } })}\n`,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [entry] = r.entries();
    expect(entry!.labels).toEqual({ app: 'migrated', hostname: 'box-1', level: 'warning', region: 'eu' });
    expect(JSON.parse(entry!.line)).toEqual({
      level: 40,
      time: expect.any(Number),
      pid: 1,
      region: 'eu',
      tags: { 0: 'a' },
      msg: 'careful',
    });
    expect(entry!.metadata).toEqual({ traceId: 't-1' });
    expect(r.requests[0]!.headers['x-a']).toBe('1');
  });

  it('our flags keep our defaults; --hostname-label, --convert-arrays, --log-format and --structuredMetaKey false', async () => {
    const r = await receiver();
    const input = `${record({ tags: ['a'], meta: { traceId: 't-1' } })}\n`;
    const ours = await run(cliPath, { args: ['--host', r.url, '--no-stdout'], input });
    expect(ours.code).toBe(0);
    expect(r.entries()[0]!.labels).toEqual({ level: 'warn' });
    const r2 = await receiver();
    const opted = await run(cliPath, {
      args: ['--host', r2.url, '--no-stdout', '--hostname-label', '--log-format', '{lokilevel} {msg} {tags}'],
      input,
    });
    expect(opted.code).toBe(0);
    expect(r2.entries()[0]!.labels).toEqual({ hostname: 'box-1', level: 'warn' });
    expect(r2.entries()[0]!.line).toBe('warn careful ["a"]');
    const r3 = await receiver();
    const off = await run(cliPath, {
      args: ['--hostname', r3.url, '--no-stdout', '--structuredMetaKey', 'false', '--convert-arrays'],
      input,
    });
    expect(off.code).toBe(0);
    expect(r3.entries()[0]!.metadata).toEqual({});
    expect(JSON.parse(r3.entries()[0]!.line)).toMatchObject({ tags: { 0: 'a' }, meta: { traceId: 't-1' } });
  });

  it('every option of core and of the transport has a flag (derived from the option lists)', () => {
    // Not flags: functions and the exit hook (the CLI is the app: always on), and what the CLI decides itself.
    const notFlags = new Set(['onError', 'exitHook', 'printErrors', 'statsIntervalMillis']);
    const covered = new Set(
      Object.values(FLAGS)
        .map((f) => f.option?.split('.')[0])
        .filter((o) => o !== undefined),
    );
    for (const name of [...CLIENT_OPTION_NAMES, ...TRANSPORT_OPTION_NAMES]) {
      if (!notFlags.has(name)) expect([name, covered.has(name)]).toEqual([name, true]);
    }
    for (const name of [
      'disk-buffer-dir',
      'flush-timeout-millis',
      'offline-buffer-max-entries',
      'max-line-bytes',
      'high-water-mark-entries',
      'tenant-id',
      'level-label',
    ]) {
      expect(usage()).toContain(`--${name}`);
    }
  });

  it('--disk-buffer-dir, --flush-timeout-millis, --offline-buffer-max-entries reach core: entries kept on disk while Loki is down are delivered by the next run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plt-cli-disk-'));
    const down = await receiver();
    const downUrl = down.url;
    await down.close();
    const first = await run(cliPath, {
      args: [
        '--host',
        downUrl,
        '--no-stdout',
        '-s',
        '--disk-buffer-dir',
        dir,
        '--disk-buffer-sync-interval-millis',
        '10',
        '--close-timeout-millis',
        '300',
        '--flush-timeout-millis',
        '2000',
        '--offline-buffer-max-entries',
        '10',
      ],
      input,
    });
    expect(first.code).toBe(1);
    expect(readdirSync(dir).length).toBeGreaterThan(0);
    const r = await receiver();
    const second = await run(cliPath, { args: ['--host', r.url, '--no-stdout', '--disk-buffer-dir', dir], input: '' });
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(r.entries().map((e) => e.line)).toContain('not json at all');
    expect(
      parseCliArgs(['--disk-buffer-dir', '/d', '--disk-buffer-sync-interval-millis', '50']).options.diskBuffer,
    ).toEqual({ directory: '/d', syncIntervalMillis: 50 });
  });

  it('LOKI_URL and LOKI_TENANT set url and tenant; flags win; an empty variable is unset', async () => {
    const r = await receiver({ authEnabled: true });
    const result = await run(cliPath, { args: ['--no-stdout'], input, env: { LOKI_URL: r.url, LOKI_TENANT: 'acme' } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(r.entries(undefined, { tenant: 'acme' })).toHaveLength(4);
    expect(
      parseCliArgs(['--host', 'http://flag:1', '--tenant-id', 'mine'], { LOKI_URL: 'http://env:2', LOKI_TENANT: 'env' })
        .options,
    ).toEqual({ host: 'http://flag:1', tenantId: 'mine' });
    expect(parseCliArgs([], { LOKI_URL: '', LOKI_TENANT: '' }).options).toEqual({});
  });

  it('help: one column for the descriptions, defaults from the code, pino-loki flags listed', () => {
    const text = usage();
    const optionLines = text.split('Options:\n')[1]!.split('\n\n')[0]!.split('\n');
    const column = (line: string): number => {
      const m = /^( +\S.*?\S)( {2,})\S/.exec(line);
      return m === null ? -1 : m[1]!.length + m[2]!.length;
    };
    const columns = new Set(optionLines.map(column));
    expect(optionLines.length).toBeGreaterThan(40);
    expect(columns.size).toBe(1);
    expect(text).toContain('(default 1000)');
    expect(text).toMatch(/--batching-max-buffer-size/);
    expect(text).toContain('LOKI_URL');
  });

  it('a misspelt long flag: did you mean, exit 2, stdin not read', async () => {
    const result = await run(cliPath, { args: ['--flush-timeout-milis', '5'] });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown option --flush-timeout-milis (did you mean --flush-timeout-millis?)');
  });
});
