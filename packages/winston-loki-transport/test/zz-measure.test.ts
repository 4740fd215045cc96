import { it } from 'vitest';
import { receiver, runFixture } from './helpers.js';
it('measure', async () => {
  for (let k = 0; k < Number(process.env.RUNS ?? 3); k++) {
    const r = await receiver();
    const run = await runFixture('burst-exit.mjs', [r.url, '1000000', '1000', 'quiet']);
    const out = run.stderr.split('\n');
    const v = (p: string) => out.find((l) => l.startsWith(p))?.slice(p.length) ?? 'NaN';
    const stats = JSON.parse(v('stats '));
    const stored = r.entries({ app: 'burst-exit' }).length;
    console.log(`RUN exit=${Number(v('exited ')) - Number(v('exiting '))}ms stored=${stored} exit_failed=${stats.droppedByReason.exit_failed} buffer_full=${stats.droppedByReason.buffer_full} sum=${stored + stats.droppedByReason.exit_failed + stats.droppedByReason.buffer_full} report=${out.filter((l) => l.includes('EXIT_DRAIN')).length}`);
    await r.stop();
  }
}, 300_000);
