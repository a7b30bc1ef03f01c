/** What a run must undo, undone last-in first-out, once, whether the run ended, failed or was interrupted. */
export interface Cleanups {
  add(what: string, undo: () => Promise<unknown>): void;
  runAll(log: (line: string) => void): Promise<void>;
}

export function createCleanups(): Cleanups {
  const stack: Array<{ what: string; undo: () => Promise<unknown> }> = [];
  return {
    add: (what, undo) => void stack.push({ what, undo }),
    async runAll(log) {
      while (stack.length > 0) {
        const { what, undo } = stack.pop()!;
        await undo().catch((error: unknown) => log(`clean-up: ${what} failed: ${error instanceof Error ? error.message : String(error)}`));
      }
    },
  };
}
