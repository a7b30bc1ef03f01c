import { parseOptions, UsageError } from './options';

const parse = (...argv: string[]) => parseOptions(argv, { now: new Date('2026-01-02T03:04:05Z'), cwd: '/tmp', randomSeed: () => 42 });

describe('the chaos options', () => {
  it('has defaults for a short run, with a random seed that it reports', () => {
    expect(parse()).toEqual({
      help: false,
      options: { minutes: 2, rate: 3, faults: 6, seed: 42, replicas: 1, nodes: 1, fuzz: 2000, quiesceS: 240, out: '/tmp/chaos-results/2026-01-02T03-04-05Z' },
    });
  });

  it('takes every flag', () => {
    const parsed = parse('--minutes', '8', '--rate', '5', '--faults', '40', '--seed', '7', '--replicas', '2', '--nodes', '3', '--fuzz', '0', '--quiesce', '60', '--out', 'x');
    expect(parsed).toEqual({ help: false, options: { minutes: 8, rate: 5, faults: 40, seed: 7, replicas: 2, nodes: 3, fuzz: 0, quiesceS: 60, out: '/tmp/x' } });
  });

  it('--no-faults means none', () => {
    expect(parse('--no-faults')).toMatchObject({ options: { faults: 0 } });
    expect(() => parse('--no-faults', '--faults', '3')).toThrow(/contradict/);
  });

  it.each([
    [['--nodes', '2'], /--nodes must be 1 or 3/],
    [['--rate', '0'], /--rate must be above 0/],
    [['--replicas', '1.5'], /--replicas must be a whole number/],
    [['--seed=-1'], /--seed must be at least 0/],
    [['--minutes', 'abc'], /--minutes must be a number/],
    [['--faults', '100', '--minutes', '1'], /do not fit/],
    [['--unknown'], /Unknown option/],
  ])('refuses %j', (argv, message) => {
    expect(() => parse(...argv)).toThrow(UsageError);
    expect(() => parse(...argv)).toThrow(message);
  });

  it('answers --help', () => {
    expect(parse('--help')).toEqual({ help: true });
  });
});
