import { uniqueName } from './unique-name';
import { waitFor } from './wait-for';

describe('waitFor', () => {
  it('returns the first truthy value the condition gives', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? `after ${calls}` : undefined), { intervalMs: 1 });
    expect(value).toBe('after 3');
  });

  it('names what it waited for and the last error when time runs out', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('not yet');
        },
        { timeoutMs: 20, intervalMs: 5, description: 'the answer' },
      ),
    ).rejects.toThrow(/waiting for the answer: not yet/);
  });
});

describe('uniqueName', () => {
  it('gives names safe for topics and databases, never the same twice', () => {
    const names = new Set(Array.from({ length: 1000 }, () => uniqueName('My-Suite')));
    expect(names.size).toBe(1000);
    for (const name of names) expect(name).toMatch(/^my_suite_[a-z0-9]+_[0-9a-f]{8}$/);
  });
});
