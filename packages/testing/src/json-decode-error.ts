/** A JSON body Loki (or the strict receiver) rejects as a whole (answered 400). */
export class JsonDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonDecodeError';
  }
}
