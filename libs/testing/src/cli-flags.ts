/**
 * The command-line plumbing of the project's tools (chaos, load): strict `--flag value` parsing,
 * where an unknown or malformed flag is a UsageError naming it, and a directory name for a run.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Bad options: the tools print the message and their usage, and exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** `--name value` flags only (no positionals); anything else is a UsageError with node's message. */
export function parseFlags<const Options extends NonNullable<ParseArgsConfig['options']>>(argv: readonly string[], options: Options) {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A directory name for now that sorts by time and has no characters a shell or Windows dislikes. */
export const timestampDir = (now: Date) => now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
