// What an OTLP/HTTP server answers: ExportLogsServiceResponse { partial_success = 1 { rejected_log_records = 1
// (int64); error_message = 2 } } on success, google.rpc.Status { code = 1; message = 2 } on failure; protobuf or
// JSON, as the request was. Read by hand: four fields, and the answer is at most MAX_BODY_READ bytes.

export interface PartialSuccess {
  rejected: number;
  message: string;
}

interface Field {
  number: number;
  varint?: number;
  bytes?: Buffer;
}

/** The top-level fields of a protobuf message; undefined when it is not well-formed. */
function fields(buf: Buffer): Field[] | undefined {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): number | undefined => {
    let n = 0;
    for (let scale = 1; pos < buf.length && scale <= 2 ** 63; scale *= 128) {
      const b = buf[pos++]!;
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
    }
    return undefined;
  };
  while (pos < buf.length) {
    const tag = varint();
    if (tag === undefined) return undefined;
    const number = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) {
      const v = varint();
      if (v === undefined) return undefined;
      out.push({ number, varint: v });
    } else if (wire === 2) {
      const length = varint();
      if (length === undefined || pos + length > buf.length) return undefined;
      out.push({ number, bytes: buf.subarray(pos, pos + length) });
      pos += length;
    } else if (wire === 1 || wire === 5) pos += wire === 1 ? 8 : 4;
    else return undefined;
  }
  return pos === buf.length ? out : undefined;
}

/** JSON by its type, or by its first byte when the type says neither (`{` starts no protobuf message). */
function isJson(body: Buffer, contentType: string | undefined): boolean {
  if (contentType !== undefined && /json/i.test(contentType)) return true;
  return (contentType === undefined || !/protobuf/i.test(contentType)) && body[0] === 0x7b;
}

/** The partial success a 2xx answer tells of, or undefined: all accepted (or an answer we cannot read). */
export function otlpPartialSuccess(body: Buffer, contentType: string | undefined): PartialSuccess | undefined {
  let rejected = 0;
  let message = '';
  if (isJson(body, contentType)) {
    try {
      const answer = JSON.parse(body.toString('utf8')) as {
        partialSuccess?: { rejectedLogRecords?: string | number; errorMessage?: string };
      };
      rejected = Number(answer.partialSuccess?.rejectedLogRecords ?? 0);
      message = String(answer.partialSuccess?.errorMessage ?? '');
    } catch {
      return undefined;
    }
  } else {
    const partial = fields(body)?.find((f) => f.number === 1 && f.bytes !== undefined);
    if (partial === undefined) return undefined;
    for (const f of fields(partial.bytes!) ?? []) {
      if (f.number === 1 && f.varint !== undefined) rejected = f.varint;
      if (f.number === 2 && f.bytes !== undefined) message = f.bytes.toString('utf8');
    }
  }
  return Number.isFinite(rejected) && rejected > 0 ? { rejected: Math.floor(rejected), message } : undefined;
}

/** The text of a failure answer: google.rpc.Status's message when it is protobuf, else the body as text. */
export function otlpFailureText(body: Buffer, contentType: string | undefined): string {
  if (contentType === undefined || !/protobuf/i.test(contentType)) return body.toString('utf8');
  const message = fields(body)?.find((f) => f.number === 2 && f.bytes !== undefined);
  return message?.bytes?.toString('utf8') ?? '';
}
