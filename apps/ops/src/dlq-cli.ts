import { parseDlqArgs, runDlq, usage, UsageError } from './dlq';

async function main(): Promise<number> {
  try {
    await runDlq(parseDlqArgs(process.argv.slice(2)), process.env, (line) => console.log(line));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n${usage}`);
      return 2;
    }
    console.error(`dlq: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

void main().then((code) => process.exit(code));
