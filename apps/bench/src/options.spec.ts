import path from 'node:path';
import { parseOptions, UsageError } from './options';

const now = new Date('2026-12-02T05:00:00.123Z');

describe('the bench options', () => {
  it('runs every section for 20 s into dist/bench/<timestamp> by default', () => {
    expect(parseOptions([], { now, cwd: '/repo' })).toEqual({
      help: false,
      options: { only: ['hop', 'post', 'shop'], seconds: 20, out: path.join('/repo', 'dist/bench/2026-12-02T05-00-00Z') },
    });
  });

  it('takes sections, seconds and a directory', () => {
    expect(parseOptions(['--only', 'hop', '--only', 'shop', '--seconds', '5', '--out', 'x'], { now, cwd: '/repo' })).toEqual({
      help: false,
      options: { only: ['hop', 'shop'], seconds: 5, out: '/repo/x' },
    });
  });

  it('answers --help', () => {
    expect(parseOptions(['--help'])).toEqual({ help: true });
  });

  it.each([
    [['--only', 'all'], /--only must be one of hop, post, shop/],
    [['--seconds', '2'], /--seconds must be a whole number/],
    [['--seconds', 'ten'], /--seconds must be a whole number/],
    [['--out', ' '], /--out must not be empty/],
    [['--minutes', '1'], /Unknown option '--minutes'/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(UsageError);
    expect(() => parseOptions(argv)).toThrow(message);
  });
});
