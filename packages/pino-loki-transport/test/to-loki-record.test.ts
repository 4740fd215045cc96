import { describe, expect, it } from 'vitest';
import { removeTopLevelKeys, splitFlatLabelKeys, splitTopLevelKeys } from '../src/json-keys.js';
import { toLokiRecord } from '../src/to-loki-record.js';
import { mappingDefaults as config } from './helpers.js';

const isLabel = (k: string): boolean => k.startsWith('label_');

describe('removeTopLevelKeys', () => {
  it('removes only top-level keys and keeps the rest byte for byte', () => {
    const json =
      '{"a":1,"label_x":"y","b":{"label_nested":1,"s":"q\\"uote"},"label_o":{"k":[1,{"z":"}"}]},"c":12345678901234567890,"d":"\\u00e9"}';
    expect(removeTopLevelKeys(json, isLabel)).toBe(
      '{"a":1,"b":{"label_nested":1,"s":"q\\"uote"},"c":12345678901234567890,"d":"\\u00e9"}',
    );
  });

  it('handles first/last/only keys, escaped keys, whitespace and backslash runs', () => {
    expect(removeTopLevelKeys('{"label_a":1}', isLabel)).toBe('{}');
    expect(removeTopLevelKeys('{"label_a":1,"b":2}', isLabel)).toBe('{"b":2}');
    // Spacing is kept: a removed pair takes its comma (and the spacing before it) with it.
    expect(removeTopLevelKeys('{ "b" : "x\\\\", "label_a" : true }', isLabel)).toBe('{ "b" : "x\\\\" }');
    expect(removeTopLevelKeys('{ "label_a" : 1 , "b" : 2 }', isLabel)).toBe('{ "b" : 2 }');
    expect(removeTopLevelKeys('{ "label_a" : 1 }', isLabel)).toBe('{  }');
    expect(removeTopLevelKeys('{"a":1,"label_b":2,"label_c":3,"d":4}', isLabel)).toBe('{"a":1,"d":4}');
    expect(removeTopLevelKeys('{"label_b":2,"label_c":3,"d":4}', isLabel)).toBe('{"d":4}');
    expect(removeTopLevelKeys('{"a":1,"label_b":2,"label_c":3}', isLabel)).toBe('{"a":1}');
    expect(removeTopLevelKeys('{"label\\u005fa":null,"b":false}', isLabel)).toBe('{"b":false}');
    expect(removeTopLevelKeys('{"b":2}', isLabel)).toBe('{"b":2}');
  });

  it('the indexOf path for flat lines cuts exactly what the full scan cuts, and bails on any other shape', () => {
    const isLabelField = (k: string): boolean => k.length > 'label_'.length && k.startsWith('label_');
    const taken = [
      '{"level":30,"time":1,"label_route":"/a","i":1,"msg":"m"}',
      '{"level":30,"label_a":1,"label_b":"x","c":2}',
      '{"level":30,"msg":"see \\"label_x\\" here","label_y":true}',
      '{"level":30,"msg":"label_x","label_y":null,"z":false}',
      '{"level":30,"a":"x,","label_y":-1.5e3}',
      '{"level":30,"a":"q\\\\","label_y":"v\\"w"}',
      '{"level":30,"i":1}',
    ];
    for (const line of taken) {
      const flat = splitFlatLabelKeys(line, 'label_');
      expect(flat, line).toBeDefined();
      expect(flat, line).toEqual(splitTopLevelKeys(line, isLabelField));
    }
    const bails = [
      '{"label_a":1,"b":2}', // first key
      ' {"level":30,"label_b":2}', // not starting with its brace
      '{"level":30,"o":{"label_a":1},"label_b":2}', // nested object
      '{"level":30,"a":[1],"label_b":2}', // array
      '{"level":30, "label_b":2}', // spacing before the key
      '{"level":30 ,"label_b":2}', // spacing before the comma
      '{"level":30,"label_b" :2}', // spacing after the key
      '{"level":30,"label_b":2 }', // spacing after the value
      '{"level":30,"label\\u005fb":2}', // escaped key (found by the full scan)
      '{"level":30,"label_":2,"label_b":3}', // the bare prefix
    ];
    for (const line of bails) expect(splitFlatLabelKeys(line, 'label_'), line).toBeUndefined();
    expect(splitFlatLabelKeys(taken[0]!, 'label_')).toEqual({
      kept: '{"level":30,"time":1,"i":1,"msg":"m"}',
      removed: [['label_route', '"/a"']],
    });
  });

  it('returns undefined for text that is not one JSON object', () => {
    for (const bad of ['[1]', '{"a":1', '{"a":1}x', '{a:1}', '{"a":"unterminated}', '{"a":}']) {
      expect(removeTopLevelKeys(bad, isLabel)).toBeUndefined();
    }
  });
});

describe('toLokiRecord', () => {
  it('ships lines that are not a JSON object as they are, and skips blank lines', () => {
    expect(toLokiRecord('plain text', config)).toEqual({ line: 'plain text' });
    expect(toLokiRecord('[1,2]', config)).toEqual({ line: '[1,2]' });
    expect(toLokiRecord('42', config)).toEqual({ line: '42' });
    expect(toLokiRecord('', config)).toBeUndefined();
    expect(toLokiRecord('   ', config)).toBeUndefined();
  });

  it('leaves the parsed object untouched for a line without labels (no re-serialisation)', () => {
    const raw = '{"level":30,"time":1700000000000,"n":1.0,"msg":"x"}';
    expect(toLokiRecord(raw, config)).toEqual({ line: raw, level: 'info', timestamp: 1700000000000 });
  });

  it('replaceTimestamp drops the record time; unknown numeric levels keep their number', () => {
    expect(toLokiRecord('{"level":33,"time":1}', { ...config, replaceTimestamp: true })).toEqual({
      line: '{"level":33,"time":1}',
      level: '33',
    });
  });

  it('the in-place fast path gives the same record as a full parse', () => {
    const slowConfig = { ...config, propsToLabels: ['__force_full_parse__'] }; // any prop path disables the fast path
    const lines = [
      '{"level":30,"time":1700000000123,"pid":1,"hostname":"h","msg":"x"}',
      '{"level":50,"time":1700000000123,"err":{"type":"Error","message":"a \\"quoted\\" }"},"msg":"y"}',
      '{"level":35,"time":1700000000123}',
      '{"level":30,"time":"2023-11-14T22:13:20.123Z","msg":"iso time: full path"}',
      '{"level":30,"time":1700000000123,"label_app":"a","msg":"label fields, cut out in place"}',
      '{"level":30,"time":1700000000123,"i":1,"label_route":"/a","user":"u1","label_code":200,"label_ok":true,"label_obj":{"k":[1,"}"]},"msg":"m"}',
      '{"level":30,"time":1700000000123,"msg":"label last","label_z":"\\u00e9 \\"q\\""}',
      '{"level":30,"time":1700000000123,"label_\\u0061pp":"escaped key","label_dup":"1","label_dup":"2"}',
      '{"level":30,"time":1700000000123,"label_app":nul}',
      '{"level":30,"time":1700000000123,"label_e":"","label_n":"a\\nb","label_u":"\u00e9\u{1F600}"}',
      '{"level":30,"time":1700000000123,"label___proto__":"p","label_constructor":"c","label_toString":"t"}',
      '{"level":30,"time":1700000000123,"label_c":"raw \u0001 control: not JSON"}',
      '{"level":30,"time":1700000000123,"msg":"mentions \\"label_x\\" in text: full path, same result"}',
      '{"level":30,"msg":"no time"}',
      '{"time":1700000000123,"level":30}',
    ];
    for (const raw of lines) expect(toLokiRecord(raw, config)).toEqual(toLokiRecord(raw, slowConfig));
    expect(toLokiRecord(lines[0]!, config)).toEqual({ line: lines[0], level: 'info', timestamp: 1700000000123 });
    expect(toLokiRecord(lines[5]!, config)).toEqual({
      line: '{"level":30,"time":1700000000123,"i":1,"user":"u1","msg":"m"}',
      labels: { route: '/a', code: 200, ok: true, obj: { k: [1, '}'] } },
      level: 'info',
      timestamp: 1700000000123,
    });
    expect(toLokiRecord(lines[1]!, { ...config, replaceTimestamp: true })).toEqual({ line: lines[1], level: 'error' });
  });

  it('an empty labelPrefix turns label fields off', () => {
    const raw = '{"label_a":"x"}';
    expect(toLokiRecord(raw, { ...config, labelPrefix: '' })).toEqual({ line: raw });
  });
});
