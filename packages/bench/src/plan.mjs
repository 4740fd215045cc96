// Which scenarios run, for which subjects, how many times: --quick, default, --full.
import { SUBJECTS } from './subjects.mjs';

const ALL = Object.keys(SUBJECTS);
const SHIPPERS = ALL.filter((s) => !SUBJECTS[s].floor);
const WITHOUT_WORKER_FLOOR = ALL.filter((s) => s !== 'pino-file');

export const MODES = {
  quick: { reps: 1, steadySeconds: 5, outageSeconds: 10, outageReps: 1, bigBurst: 1_000_000 },
  default: { reps: 3, steadySeconds: 10, outageSeconds: 30, outageReps: 2, bigBurst: 1_000_000 },
  full: { reps: 5, steadySeconds: 10, outageSeconds: 30, outageReps: 3, bigBurst: 1_000_000 },
};

/**
 * The scenarios of a mode, in run order. Sequential ones run one child at a time, subjects interleaved
 * per repetition.
 */
export function plan(mode) {
  const m = MODES[mode];
  return [
    {
      id: 'burst-200k',
      kind: 'burst',
      title: 'Burst of 200 000 calls (main-thread cost)',
      params: { n: 200_000, chunk: 1000 },
      subjects: ALL,
      reps: m.reps,
    },
    {
      id: 'burst-100k',
      kind: 'burst',
      title: 'Burst of 100 000 calls',
      params: { n: 100_000, chunk: 1000 },
      subjects: WITHOUT_WORKER_FLOOR,
      reps: m.reps,
    },
    {
      id: 'burst-1m',
      kind: 'burst',
      title: `Burst of ${m.bigBurst.toLocaleString('en-US').replace(/,/g, ' ')} calls`,
      params: { n: m.bigBurst, chunk: 1000 },
      subjects: SHIPPERS,
      reps: m.reps,
    },
    {
      id: 'steady-20k',
      kind: 'steady',
      title: `Steady 20 000 calls/s for ${m.steadySeconds} s`,
      params: { rate: 20_000, seconds: m.steadySeconds },
      subjects: WITHOUT_WORKER_FLOOR,
      reps: m.reps,
    },
    {
      id: 'outage',
      kind: 'outage',
      title: `Receiver down for ${m.outageSeconds} s while logging 2 000 calls/s`,
      params: { rate: 2000, preSeconds: 5, outageSeconds: m.outageSeconds, postSeconds: 5 },
      subjects: SHIPPERS,
      reps: m.outageReps,
    },
    {
      id: 'held-300k',
      kind: 'held',
      title: 'Held while Loki is down: 300 000 short entries (memory per held entry)',
      params: { n: 300_000 },
      subjects: ALL.filter((s) => SUBJECTS[s].ours),
      reps: m.reps,
    },
  ];
}
