/**
 * The reason part of the worker's exit-drain report, without its counts: the main thread reports one
 * total (it also counts what the worker had not taken in), with the worker's reasons.
 */
export function exitDrainReason(message: string): string {
  return message
    .replace(/^at process exit, \d+ entr(?:y|ies) could not be delivered( by the exit deadline)?:? ?/, '')
    .replace(/(^|; )\d+ entr(?:y|ies): /g, '$1');
}
