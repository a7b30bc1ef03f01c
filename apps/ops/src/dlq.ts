/**
 * npm run dlq -- list | show <topic> | replay <topic>   [--offset N] [--partition P] [--json]
 *
 * What sits in each dead-letter topic (`<topic>.dlq.<service>`), each record decoded where it can
 * be (reason, where it came from, headers, the event), and a replay of records to their original
 * topic once the cause is fixed: safe, since the consumers' inboxes absorb an event they applied.
 * Reads KAFKA_BROKERS (default the local broker, 127.0.0.1:9192), TOPIC_PREFIX (default none) and
 * the operator's login (principal `admin`): KAFKA_USERNAME/KAFKA_PASSWORD, or KAFKA_CREDENTIALS (a
 * passwords file; the local broker's by default); none for a plain broker (toolKafkaOptions).
 */
import { createKafka, listDeadLetterTopics, readDeadLetters, replayDeadLetters, toolKafkaOptions, type DeadLetter } from '@webshop/kafka';

export class UsageError extends Error {}

export const usage = `usage: npm run dlq -- list
       npm run dlq -- show <topic> [--offset N] [--partition P] [--json]
       npm run dlq -- replay <topic> [--offset N] [--partition P]`;

export interface DlqCommand {
  action: 'list' | 'show' | 'replay';
  topic?: string;
  offset?: string;
  partition?: number;
  json: boolean;
}

export function parseDlqArgs(argv: readonly string[]): DlqCommand {
  const [action, ...rest] = argv;
  if (action !== 'list' && action !== 'show' && action !== 'replay') throw new UsageError(action ? `unknown action "${action}"` : 'no action given');
  const command: DlqCommand = { action, json: false };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const value = () => {
      const next = rest[++i];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === '--json') command.json = true;
    else if (arg === '--offset') {
      const offset = value();
      if (!/^\d+$/.test(offset)) throw new UsageError(`--offset takes a record offset (digits), not "${offset}"`);
      command.offset = offset;
    } else if (arg === '--partition') {
      const partition = value();
      if (!/^\d+$/.test(partition)) throw new UsageError(`--partition takes a partition number, not "${partition}"`);
      command.partition = Number(partition);
    } else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else if (command.topic === undefined) command.topic = arg;
    else throw new UsageError(`one topic at a time ("${command.topic}", then "${arg}")`);
  }
  if (action !== 'list' && !command.topic) throw new UsageError(`${action} needs a dead-letter topic (see: npm run dlq -- list)`);
  return command;
}

/** A dead letter as a person reads it. */
export function formatDeadLetter(letter: DeadLetter): string {
  const from = letter.source.topic ? `${letter.source.topic} ${letter.source.partition}/${letter.source.offset}` : '(unknown)';
  const lines = [
    `${letter.partition}/${letter.offset}  ${letter.reason ?? '(no reason)'}  consumer ${letter.consumer ?? '?'}  failed ${letter.failedAt ?? '?'}`,
    `  from   ${from}`,
    `  key    ${letter.key ?? '(none)'}`,
    `  error  ${letter.error ?? ''}`,
    `  headers ${JSON.stringify(letter.headers)}`,
    letter.event
      ? `  event  ${letter.event.type} v${letter.event.version} ${JSON.stringify(letter.event.data)}`
      : `  value  undecodable (${letter.undecodable!.reason}: ${letter.undecodable!.message}); first bytes ${letter.undecodable!.head}`,
  ];
  return lines.join('\n');
}

export async function runDlq(command: DlqCommand, env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<void> {
  const prefix = env['TOPIC_PREFIX'] ?? '';
  const kafka = createKafka({ clientId: 'webshop-dlq', ...toolKafkaOptions(env, 'admin') });
  const options = { ...(command.offset !== undefined ? { offset: command.offset } : {}), ...(command.partition !== undefined ? { partition: command.partition } : {}) };
  switch (command.action) {
    case 'list': {
      const topics = await listDeadLetterTopics(kafka, prefix);
      if (command.json) return out(JSON.stringify(topics));
      if (topics.length === 0) return out('no dead-letter topics');
      const width = Math.max(...topics.map((t) => t.topic.length));
      for (const t of topics) out(`${t.topic.padEnd(width)}  ${t.records} record${t.records === 1 ? '' : 's'}`);
      return;
    }
    case 'show': {
      const letters = await readDeadLetters(kafka, command.topic!, options);
      if (command.json) return out(JSON.stringify(letters));
      if (letters.length === 0) return out(`nothing in ${command.topic}${command.offset ? ` at offset ${command.offset}` : ''}`);
      for (const letter of letters) out(formatDeadLetter(letter));
      return;
    }
    case 'replay': {
      const replayed = await replayDeadLetters(kafka, command.topic!, options);
      if (command.json) return out(JSON.stringify(replayed));
      if (replayed.length === 0) return out(`nothing to replay in ${command.topic}`);
      for (const r of replayed) out(`replayed ${r.from.partition}/${r.from.offset} → ${r.to.topic} ${r.to.partition}/${r.to.offset}`);
      return;
    }
    default: {
      const exhaustive: never = command.action;
      throw new Error(`unknown action ${String(exhaustive)}`);
    }
  }
}
