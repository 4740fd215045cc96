/** The protobuf `google.rpc.Status` Loki's `OTLPError` writes: `code` 0 (omitted) and the error as `message`. */

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

/** `proto.Marshal(status.New(0, message).Proto())`: field 2 (message), nothing when the message is empty. */
export function rpcStatusBody(message: string): Buffer {
  if (message === '') return Buffer.alloc(0);
  const text = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from([0x12, ...varint(text.length)]), text]);
}

/** Reads the message of such a body (for tests and clients); undefined when it is not one. */
export function rpcStatusMessage(body: Uint8Array): string | undefined {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let i = 0;
  let message = '';
  while (i < buf.length) {
    const tag = buf[i++]!;
    let len = 0;
    let factor = 1;
    for (;;) {
      if (i >= buf.length) return undefined;
      const b = buf[i++]!;
      len += (b & 0x7f) * factor;
      if (b < 0x80) break;
      factor *= 128;
    }
    if (tag === 0x08) continue; // code: the varint just read
    if ((tag & 7) !== 2 || i + len > buf.length) return undefined;
    if (tag === 0x12) message = buf.toString('utf8', i, i + len);
    i += len;
  }
  return message;
}
