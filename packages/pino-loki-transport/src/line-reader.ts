import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { LineQueue } from './line-queue.js';

/**
 * Raw text read ahead of mapping is bounded: past this many UTF-16 units (~256 MiB of ASCII lines) the
 * reader holds the write back until the mapper has taken half, and the rest waits in pino's buffer as it
 * did before. Well above a burst pino's exit pumps through (1 000 000 lines of ~100 bytes), which must be
 * read in at once for the close deadline to hold.
 */
const HIGH_WATER_CHARS = 256 * 1024 * 1024;

/** A write this big means thread-stream is pumping a backlog (a burst, or pino's exit): 1/4 of its buffer. */
const BIG_WRITE_CHARS = 1024 * 1024;
/** The mapper stands back while big writes keep coming, at most this long after the last one. */
const QUIET_MILLIS = 50;

export interface LineReaderHooks {
  /** `added` complete lines were queued: count them, wake the mapper. */
  onLines(added: number): void;
  /** The input ended (pino ended the stream at exit, or stdin ended). */
  onEnd(): void;
  /** The stream is being destroyed (after its end, or on error): close the client. Never rejects. */
  close(): Promise<void>;
}

/**
 * The stream pino's worker (thread-stream) writes into: splits and queues, nothing else, so each write is
 * answered at once while the queue is under its bound. `release()` is for the mapper after taking lines.
 */
export function lineReader(
  queue: LineQueue,
  hooks: LineReaderHooks,
): { stream: Writable; release: () => void; standBack: () => Promise<void> } {
  let held: (() => void) | undefined;
  let lastBigWriteAt = -Infinity;
  /**
   * For the mapper, before each batch: while a backlog is being pumped in, wait until it is all read (or the
   * queue is half full). On a loaded machine the mapping took the CPU the reading (and pino's thread copying
   * into the shared buffer) needed: 1 000 000 lines at exit were read in 1.7 s, in 0.55 s without mapping.
   */
  const standBack = async (): Promise<void> => {
    while (queue.chars < HIGH_WATER_CHARS / 2) {
      const quietIn = lastBigWriteAt + QUIET_MILLIS - Date.now();
      if (quietIn <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, quietIn).unref());
    }
  };
  // Buffers (the CLI's stdin) may end inside a character; thread-stream already writes whole strings.
  const decoder = new StringDecoder('utf8');
  const release = (): void => {
    if (held === undefined || queue.chars > HIGH_WATER_CHARS / 2) return;
    const callback = held;
    held = undefined;
    callback();
  };
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      if (chunk.length >= BIG_WRITE_CHARS) lastBigWriteAt = Date.now();
      const added = queue.add(typeof chunk === 'string' ? chunk : decoder.write(chunk));
      if (added > 0) hooks.onLines(added);
      if (queue.chars > HIGH_WATER_CHARS) held = () => callback();
      else callback();
    },
    final(callback) {
      const added = queue.add(decoder.end()) + queue.end();
      if (added > 0) hooks.onLines(added);
      hooks.onEnd();
      callback();
    },
    destroy(_error, callback) {
      hooks.close().then(
        () => callback(null),
        () => callback(null),
      );
    },
  });
  return { stream, release, standBack };
}
