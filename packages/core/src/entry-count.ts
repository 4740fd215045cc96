/** `1 entry`, `2 entries`: the count as our messages print it. */
export function entryCount(n: number): string {
  return `${n} ${n === 1 ? 'entry' : 'entries'}`;
}
