/** `npm run chaos -- [options]`: see options.ts (`--help`). Exit 0 when every check passed. */
import { parseOptions, usage, UsageError } from './options';
import { runChaos } from './run';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${usage}`);
      return 2;
    }
    throw error;
  }
  if (parsed.help) {
    console.log(usage);
    return 0;
  }
  const outcome = await runChaos(parsed.options);
  return outcome.failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
