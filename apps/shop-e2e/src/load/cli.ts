/**
 * `npm run load -- --rate <orders/s> --duration <s> [options]`: an open-loop load run against a
 * running shop (see run.ts for what it does, options.ts for the flags).
 *
 * stdout: the summary and where the results went. stderr: set-up messages and a progress line
 * once a second (rewritten in place on a terminal). Exit code: 0 when every order became final
 * and nothing failed, 1 when not (or the set-up failed), 2 for bad options. Ctrl-C once stops
 * sending and still settles and reports; twice quits at once.
 */
import { parseOptions, usage, UsageError } from './options';
import { formatProgress, summaryText, writeResults } from './report';
import { toolOperatorToken } from '@webshop/testing';
import { runLoad, SetupError, type Progress } from './run';
import { shopClient } from './shop-client';

function progressPrinter(stream: NodeJS.WriteStream) {
  const tty = stream.isTTY === true;
  let open = false;
  return {
    show(progress: Progress) {
      const line = formatProgress(progress);
      stream.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
      open = tty;
    },
    /** Ends the line being rewritten, so that what follows starts on a line of its own. */
    end() {
      if (open) stream.write('\n');
      open = false;
    },
  };
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseOptions(argv, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`load: ${error.message}\n\n${usage}\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const { options } = parsed;

  const interrupt = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\nload: stopping: no more orders are sent; waiting for those in flight (Ctrl-C again to quit now)\n');
    interrupt.abort();
    process.once('SIGINT', () => process.exit(130));
  });

  const progress = progressPrinter(process.stderr);
  let result;
  try {
    result = await runLoad(options, {
      // The set-up's products and deposits are the operator's: ADMIN_TOKEN, or the one npm start wrote.
      client: shopClient(options, toolOperatorToken()),
      signal: interrupt.signal,
      onProgress: (p) => progress.show(p),
      log: (line) => process.stderr.write(`load: ${line}\n`),
    });
  } catch (error) {
    progress.end();
    if (!(error instanceof SetupError)) throw error;
    process.stderr.write(`load: set-up failed, nothing was measured: ${error.message}\n`);
    return 1;
  }
  progress.end();

  const written = await writeResults(options.out, result);
  process.stdout.write(`${summaryText(result)}\nresults     ${written.json}\n            ${written.html}\n`);
  return result.check.passed ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`load: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
