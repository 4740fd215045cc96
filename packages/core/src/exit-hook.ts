/**
 * Process-end delivery. One pair of listeners for all clients: `beforeExit` (the loop ran dry: start
 * an async flush, whose request keeps the process alive until it is done) and `exit` (after
 * `process.exit()` or when the flush could not finish: a synchronous send, see exit-drain.ts).
 * No signal handlers: signals belong to the application.
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

export function registerExitParticipant(p: ExitParticipant): void {
  participants.add(p);
  if (!installed) {
    process.on('beforeExit', beforeExit);
    process.on('exit', exit);
    installed = true;
  }
}

export function unregisterExitParticipant(p: ExitParticipant): void {
  participants.delete(p);
  if (participants.size === 0 && installed) {
    process.off('beforeExit', beforeExit);
    process.off('exit', exit);
    installed = false;
  }
}
