import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';

export interface ProvidedInfrastructure {
  kafkaBrokers: string;
  /** The principals' passwords file of a broker with SASL (infra/kafka's default); none for a plain one. */
  kafkaCredentials?: string;
  kafkaSource: string;
  databaseUrl: string;
  databaseSource: string;
  /** Stops what this run started (containers); a shared local broker is left running for the next run. */
  stop(): Promise<void>;
}

const run = promisify(execFile);
const workspaceRoot = path.resolve(__dirname, '../../..');
const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Whether a Docker engine answers /_ping on DOCKER_HOST or the default socket within a second. */
export async function dockerEngineAnswers(): Promise<boolean> {
  const host = process.env['DOCKER_HOST'];
  let options: http.RequestOptions;
  if (host?.startsWith('tcp://')) {
    const url = new URL(host.replace('tcp://', 'http://'));
    options = { host: url.hostname, port: url.port, path: '/_ping' };
  } else {
    const socketPath = host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
    if (!existsSync(socketPath)) return false;
    options = { socketPath, path: '/_ping' };
  }
  return new Promise((resolve) => {
    const req = http.get({ ...options, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** The local broker (SASL and ACLs unless KAFKA_SECURITY=plain): its address and its passwords file. */
async function startLocalKafka(): Promise<{ bootstrap: string; credentials?: string }> {
  const script = path.join(workspaceRoot, 'infra/kafka/kafka.sh');
  const { stdout } = await run('bash', [script, 'start'], { timeout: 300_000, maxBuffer: 10 * 1024 * 1024 });
  const bootstrap = stdout.trim().split('\n').pop();
  if (!bootstrap) throw new Error('infra/kafka/kafka.sh start printed no bootstrap address');
  const credentials = (await run('bash', [script, 'credentials'])).stdout.trim();
  return { bootstrap, credentials: credentials || undefined };
}

export async function provideInfrastructure(): Promise<ProvidedInfrastructure> {
  const givenKafka = process.env['KAFKA_BROKERS'];
  const givenDatabase = process.env['DATABASE_URL'];
  const stops: Array<() => Promise<unknown>> = [];
  let kafkaBrokers = givenKafka;
  let kafkaCredentials = givenKafka ? process.env['KAFKA_CREDENTIALS'] || undefined : undefined;
  let kafkaSource = 'given by KAFKA_BROKERS';
  let databaseUrl = givenDatabase;
  let databaseSource = 'given by DATABASE_URL';

  if ((!kafkaBrokers || !databaseUrl) && (await dockerEngineAnswers())) {
    // Loaded only here: the no-Docker path never pays for testcontainers.
    if (!kafkaBrokers) {
      const { KafkaContainer } = await import('@testcontainers/kafka');
      const kafka = await new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start();
      stops.push(() => kafka.stop());
      kafkaBrokers = `${kafka.getHost()}:${kafka.getMappedPort(9093)}`;
      kafkaSource = 'testcontainers confluentinc/cp-kafka:7.9.0';
    }
    if (!databaseUrl) {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const postgres = await new PostgreSqlContainer('postgres:15-alpine').start();
      stops.push(() => postgres.stop());
      databaseUrl = postgres.getConnectionUri();
      databaseSource = 'testcontainers postgres:15-alpine';
    }
  }
  if (!kafkaBrokers) {
    ({ bootstrap: kafkaBrokers, credentials: kafkaCredentials } = await startLocalKafka());
    kafkaSource = `local Apache Kafka broker from infra/kafka, ${kafkaCredentials ? 'SASL and ACLs' : 'plain'}`;
  }
  if (!databaseUrl) {
    databaseUrl = LOCAL_POSTGRES;
    databaseSource = 'local Postgres';
  }
  return {
    kafkaBrokers,
    kafkaCredentials,
    kafkaSource,
    databaseUrl,
    databaseSource,
    async stop() {
      await Promise.allSettled(stops.map((stop) => stop()));
    },
  };
}
