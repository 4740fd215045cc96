/**
 * Process-end delivery. One pair of listeners for all clients: `beforeExit` (the loop ran dry: start
 * an async flush, whose request keeps the process alive until it is done) and `exit` (after
 * `process.exit()` or when the flush could not finish: a synchronous send, see exit-drain.ts).
 * No signal handlers: signals belong to the application. On Deno, also `error` and
 * `unhandledrejection` on globalThis (see fatalEvent).
 */
export interface ExitParticipant {
  onBeforeExit(): void;
  onExit(): void;
}

const participants = new Set<ExitParticipant>();
let installed = false;

function beforeExit(): void {
  for (const p of participants) p.onBeforeExit();
}

function exit(): void {
  for (const p of participants) p.onExit();
}

/**
 * Deno ends on an uncaught exception or an unhandled rejection without emitting `exit`: it dispatches
 * `error` / `unhandledrejection` on globalThis, synchronously, and ends unless a listener called
 * preventDefault(). There we deliver as on `exit` and leave the event alone (a crash stays a crash),
 * unless the app handles it (a process listener: the process may go on). Only on Deno: Bun takes an
 * `unhandledrejection` listener for a handler and would not end.
 */
interface EventHost {
  addEventListener(type: string, listener: (event: { defaultPrevented: boolean }) => void): void;
  removeEventListener(type: string, listener: (event: { defaultPrevented: boolean }) => void): void;
}
const deno =
  typeof (globalThis as { Deno?: unknown }).Deno === 'object' ? (globalThis as unknown as EventHost) : undefined;

function fatalEvent(event: { defaultPrevented: boolean }): void {
  if (
    event.defaultPrevented ||
    process.listenerCount('uncaughtException') > 0 ||
    process.listenerCount('unhandledRejection') > 0
  )
    return;
  exit();
}

export function registerExitParticipant(p: ExitParticipant): void {
  participants.add(p);
  if (!installed) {
    process.on('beforeExit', beforeExit);
    process.on('exit', exit);
    deno?.addEventListener('error', fatalEvent);
    deno?.addEventListener('unhandledrejection', fatalEvent);
    installed = true;
  }
}

export function unregisterExitParticipant(p: ExitParticipant): void {
  participants.delete(p);
  if (participants.size === 0 && installed) {
    process.off('beforeExit', beforeExit);
    process.off('exit', exit);
    deno?.removeEventListener('error', fatalEvent);
    deno?.removeEventListener('unhandledrejection', fatalEvent);
    installed = false;
  }
}
