/**
 * The search for the shop's highest sustainable order rate. A rate is sustainable when, in a run
 * at that rate, every order became final (within the run and its drain) with no HTTP failure, and
 * latency did not grow: the median of the last third of the run is at most `growth` times the
 * first third's plus `slackMs` (a saturated shop's queue makes latency climb steadily, while a
 * sustainable one's stays flat, noise aside), and no more than that above `referenceMs`, the median
 * at the lowest rate tried (a run short enough to saturate within its first third would otherwise
 * look flat).
 *
 * The search doubles from `startRate` until a rate fails (or `maxRate`), then bisects between
 * the last good and the first bad rate until they are within `precision` (relative), or the
 * trials run out. Pure: the trial is injected.
 */

export interface TrialResult {
  rate: number;
  sustainable: boolean;
  why: string;
}

export interface SearchOptions {
  startRate: number;
  maxRate: number;
  /** Stop bisecting when bad / good ≤ 1 + precision. */
  precision: number;
  maxTrials: number;
  trial(rate: number): Promise<TrialResult>;
}

export interface SearchResult {
  /** The highest rate found sustainable; 0 when not even the first was. */
  best: number;
  trials: TrialResult[];
}

const round = (rate: number) => Math.round(rate * 10) / 10;

export async function searchRate({ startRate, maxRate, precision, maxTrials, trial }: SearchOptions): Promise<SearchResult> {
  const trials: TrialResult[] = [];
  const run = async (rate: number) => {
    const result = await trial(round(rate));
    trials.push(result);
    return result.sustainable;
  };
  let good = 0;
  let bad: number | undefined;
  for (let rate = startRate; trials.length < maxTrials; rate = Math.min(maxRate, rate * 2)) {
    if (await run(rate)) good = round(rate);
    else {
      bad = round(rate);
      break;
    }
    if (rate >= maxRate) return { best: good, trials };
  }
  if (bad === undefined) return { best: good, trials };
  // good = 0 means the start rate failed: bisect below it.
  while (trials.length < maxTrials && bad / Math.max(good, startRate / 8) > 1 + precision) {
    const middle = good === 0 ? bad / 2 : (good + bad) / 2;
    if (round(middle) === good || round(middle) === bad) break;
    if (await run(middle)) good = round(middle);
    else bad = round(middle);
  }
  return { best: good, trials };
}

/** One second of a load run, as the load tool's results.json gives it. */
export interface SecondSeries {
  second: number;
  sent: number;
  confirmed: number;
  p50: number | null;
}

export interface LoadRunSummary {
  allFinal: boolean;
  httpErrors: number;
  series: readonly SecondSeries[];
}

/** The median of the per-second medians in [from, to) of the seconds that confirmed orders. */
function medianOf(series: readonly SecondSeries[], from: number, to: number): number | undefined {
  const values = series
    .filter((s) => s.second >= from && s.second < to && s.p50 !== null)
    .map((s) => s.p50!)
    .sort((a, b) => a - b);
  return values.length === 0 ? undefined : values[Math.floor(values.length / 2)];
}

/** The median of a whole run's per-second medians: the reference latency of the lowest rate. */
export const runMedian = (series: readonly SecondSeries[]): number | undefined => medianOf(series, 0, Infinity);

export function judgeRun(rate: number, run: LoadRunSummary, durationS: number, { growth = 1.5, slackMs = 100, referenceMs }: { growth?: number; slackMs?: number; referenceMs?: number } = {}): TrialResult {
  if (!run.allFinal) return { rate, sustainable: false, why: 'not every order became final' };
  if (run.httpErrors > 0) return { rate, sustainable: false, why: `${run.httpErrors} HTTP failures` };
  const third = durationS / 3;
  const first = medianOf(run.series, 0, third);
  const last = medianOf(run.series, durationS - third, durationS);
  if (first === undefined || last === undefined) return { rate, sustainable: false, why: 'no confirmed orders in the first or last third' };
  const figures = `p50 ${Math.round(first)} ms in the first third, ${Math.round(last)} ms in the last`;
  if (last > first * growth + slackMs) return { rate, sustainable: false, why: `latency grew: ${figures}` };
  if (referenceMs !== undefined && last > referenceMs * growth + slackMs) {
    return { rate, sustainable: false, why: `latency above the lowest rate's ${Math.round(referenceMs)} ms: ${figures}` };
  }
  return { rate, sustainable: true, why: figures };
}
