/** A label string that Loki's parser would reject. `message` is Prometheus' error text. */
export class LabelSyntaxError extends Error {
  /** The part after `<line>:<col>: parse error: `. */
  readonly detail: string;
  /** 1-based line of the error. */
  readonly line: number;
  /** 1-based byte column of the error. */
  readonly column: number;

  constructor(input: string, offset: number, detail: string) {
    const before = input.slice(0, offset);
    const lastNewline = before.lastIndexOf('\n');
    let line = 1;
    for (let i = 0; i < before.length; i++) if (before.charCodeAt(i) === 10) line++;
    const column = Buffer.byteLength(before.slice(lastNewline + 1), 'utf8') + 1;
    super(`${line}:${column}: parse error: ${detail}`);
    this.name = 'LabelSyntaxError';
    this.detail = detail;
    this.line = line;
    this.column = column;
  }
}
