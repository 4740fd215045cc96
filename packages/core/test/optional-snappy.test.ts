import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { uncompressSync } from 'snappy';
import { compress as compressJs } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { receiver } from './helpers.js';

// The native snappy binding is an optional dependency: without it, protobuf pushes are compressed by
// the pure-JS encoder, and Loki (here the receiver, which decodes with the native binding) reads them.
const hideNative = fileURLToPath(new URL('./fixtures/no-native-snappy.cjs', import.meta.url));
const scripts = {
  esm: fileURLToPath(new URL('./fixtures/push-report.mjs', import.meta.url)),
  cjs: fileURLToPath(new URL('./fixtures/push-report.cjs', import.meta.url)),
};

interface Report {
  compression: string;
  flush: { ok: boolean; acknowledged: number };
}

function run(
  format: 'esm' | 'cjs',
  args: string[],
  withoutNative: boolean,
): Promise<{ code: number | null; report?: Report; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [...(withoutNative ? ['--require', hideNative] : []), scripts[format], ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) =>
      resolve({ code, stderr, ...(stdout.trim() ? { report: JSON.parse(stdout) as Report } : {}) }),
    );
  });
}

describe.each(['esm', 'cjs'] as const)('install without the native snappy binding (%s build)', (format) => {
  it('delivers protobuf + snappy through the pure-JS encoder and says so in stats()', async () => {
    const r = await receiver();
    const result = await run(format, [r.url, 'protobuf', '500'], true);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.report).toEqual({
      compression: 'snappy-js',
      flush: expect.objectContaining({ ok: true, acknowledged: 500 }),
    });
    expect(r.requests.every((q) => q.contentType === 'application/x-protobuf' && q.status === 204)).toBe(true);
    const stored = r.entries(`{app="install", format="${format}", encoding="protobuf"}`);
    expect(stored.map((e) => e.line)).toEqual(Array.from({ length: 500 }, (_, i) => `${format} protobuf ${i}`));
    expect(stored[499]!.metadata).toMatchObject({ i: '499' });
  });

  it('delivers encoding: json without loading snappy at all', async () => {
    const r = await receiver();
    const result = await run(format, [r.url, 'json', '3'], true);
    expect(result.stderr).toBe('');
    expect(result.report).toEqual({
      compression: 'none',
      flush: expect.objectContaining({ ok: true, acknowledged: 3 }),
    });
    expect(r.entries(`{app="install", format="${format}", encoding="json"}`).map((e) => e.line)).toEqual(
      [0, 1, 2].map((i) => `${format} json ${i}`),
    );
  });

  it('uses the native binding when it loads', async () => {
    const r = await receiver();
    const result = await run(format, [r.url, 'protobuf', '3'], false);
    expect(result.report).toEqual({
      compression: 'snappy-native',
      flush: expect.objectContaining({ ok: true, acknowledged: 3 }),
    });
    expect(r.entries(`{app="install", format="${format}", encoding="protobuf"}`)).toHaveLength(3);
  });
});

describe('the pure-JS snappy encoder', () => {
  it('writes snappy block format that the native decoder reads back, on every kind of input', () => {
    const text = Buffer.from(
      Array.from({ length: 20_000 }, (_, i) => `{"level":30,"msg":"request ${i % 97}","url":"/api/${i}"}`).join('\n'),
    );
    let seed = 1;
    const noise = Buffer.alloc(300_000).map(() => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff);
    for (const input of [
      Buffer.alloc(0),
      Buffer.from('a'),
      Buffer.alloc(1 << 20),
      text,
      noise,
      Buffer.concat([text, noise, text]),
    ]) {
      const compressed = compressJs(input);
      expect(Buffer.compare(uncompressSync(compressed) as Buffer, input)).toBe(0);
    }
  });
});
