/**
 * One chaos run, step by step: set-up, workload under faults, quiesce, the checks, poison, fuzz,
 * control, report. The shop is torn down in a finally, and on SIGINT/SIGTERM.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { runChecks, type CheckResult } from './checks';
import { createClient } from './client';
import { plants } from './control';
import { runFaults } from './faults';
import { runFuzz, type FuzzOutcome } from './fuzz';
import { chaosKafka, consumerLag, deadLetters } from './kafka-state';
import { createLedger, definite, finalStatuses } from './ledger';
import type { ChaosOptions } from './options';
import { poisonFindings, sendPoison } from './poison';
import { perSecond, reportHtml, writeReport, type LagSample } from './report';
import { describeFault, faultSchedule, serviceNames } from './schedule';
import { apiGet, takeSnapshot, withDatabase } from './snapshot';
import { startStreamFollowers, type StreamFollowers } from './streams';
import { startShop, type Shop } from './supervisor';
import { createOperations, seedShop, startWorkload, richCustomers } from './workload';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RunOutcome {
  results: CheckResult[];
  passed: number;
  failed: number;
  files?: { json: string; html: string };
}

export async function runChaos(options: ChaosOptions, log: (line: string) => void = console.log): Promise<RunOutcome> {
  const durationMs = Math.round(options.minutes * 60_000);
  const schedule = faultSchedule({ seed: options.seed, faults: options.faults, durationMs, replicas: options.replicas, nodes: options.nodes });
  log(`chaos: seed ${options.seed}, ${options.minutes} min at ${options.rate}/s, ${options.replicas} instance(s) of each service, ${options.nodes} Kafka node(s), ${schedule.length} faults`);
  log(`replay with: npm run chaos -- --seed ${options.seed} --minutes ${options.minutes} --rate ${options.rate} --faults ${options.faults} --replicas ${options.replicas} --nodes ${options.nodes}`);
  for (const f of schedule) log(`  ${describeFault(f)}`);
  mkdirSync(options.out, { recursive: true });

  let t0 = Date.now();
  const clock = () => Date.now() - t0;
  let shop: Shop | undefined;
  let tearing: Promise<void> | undefined;
  const teardown = () => (tearing ??= (shop?.teardown() ?? Promise.resolve()).then(() => log('torn down')));
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: tearing down`);
    void teardown().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // A bug of the tool itself must not leave the private shop running behind it either.
  const onCrash = (error: unknown) => {
    log(`the chaos tool crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}; tearing down`);
    void teardown().finally(() => process.exit(1));
  };
  process.once('uncaughtException', onCrash);

  const results: CheckResult[] = [];
  const lag: LagSample[] = [];
  const ledger = createLedger();
  let faultRecords: ReturnType<typeof runFaults>['records'] = [];
  let fuzz: FuzzOutcome | undefined;
  let streams: StreamFollowers | undefined;
  const figures: Record<string, unknown> = {};
  const started = Date.now();
  try {
    log('setting up: postgres, kafka, smtp, services …');
    shop = await startShop({ replicas: options.replicas, nodes: options.nodes, logDir: path.join(options.out, 'logs'), clock, log });
    await shop.allReady(600_000);
    log(`all ${shop.instances.length} instances ready in ${((Date.now() - started) / 1000).toFixed(0)} s; seeding`);
    const client = createClient(shop, ledger, clock);
    await seedShop(client, ledger);

    // The workload and the faults run on one clock from here.
    t0 = Date.now();
    const startedAt = t0;
    const workload = startWorkload({ rate: options.rate, durationMs, seed: options.seed, client, ledger });
    const faults = runFaults(shop, schedule, clock, log);
    faultRecords = faults.records;
    // Every fourth accepted order is followed live, its stream cut and resumed on any instance.
    streams = startStreamFollowers(shop, options.seed);
    const followed = setInterval(() => {
      [...ledger.orders.keys()].forEach((orderId, i) => i % 4 === 0 && streams!.follow(orderId));
    }, 1_000);
    const kafka = chaosKafka(shop.broker);
    const progress = setInterval(() => {
      const answers = ledger.exchanges.filter((e) => e.atMs >= 0);
      const bad = answers.filter((e) => !definite(e.status)).length;
      const lastLag = lag.at(-1)?.lag ?? 0;
      log(
        `[+${(clock() / 1000).toFixed(0)}s] ops ${workload.started} (running ${workload.running}), answers ${answers.length} (${bad} 5xx/none), orders ${ledger.orders.size}, faults ${faults.records.length}/${schedule.length}, exits ${shop!.exits.length} (${shop!.exits.filter((x) => !x.expected).length} unexpected), lag ${lastLag}`,
      );
    }, 5_000);
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const at = clock();
        const l = await Promise.race([consumerLag(kafka).catch(() => undefined), sleep(4_000).then(() => undefined)]);
        if (l) lag.push({ atMs: at, lag: Object.values(l).reduce((a, b) => a + b, 0) });
        await sleep(3_000);
      }
    })();
    await Promise.all([workload.done, faults.done]);
    log(`workload done: ${workload.started} operations, ${ledger.exchanges.length} requests, ${ledger.orders.size} orders accepted`);

    // Quiesce: every instance up, every order final, every outbox and group drained, every email sent.
    const quiesceStart = Date.now();
    await shop.allReady(options.quiesceS * 1000);
    const pending = async () => {
      const counts: Record<string, number> = {};
      counts['orders not final'] = await withDatabase(shop!.databaseUrl.orders, async (c) => (await c.query(`SELECT count(*)::int AS n FROM orders WHERE status <> ALL($1)`, [finalStatuses])).rows[0].n);
      counts['emails not sent'] = await withDatabase(shop!.databaseUrl.email, async (c) => (await c.query(`SELECT count(*)::int AS n FROM emails WHERE status <> 'SENT'`)).rows[0].n);
      let unpublished = 0;
      for (const s of serviceNames) unpublished += await withDatabase(shop!.databaseUrl[s], async (c) => (await c.query('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')).rows[0].n);
      counts['outbox rows'] = unpublished;
      counts['lag'] = Object.values(await consumerLag(kafka)).reduce((a, b) => a + b, 0);
      return counts;
    };
    let last: Record<string, number> = {};
    for (;;) {
      last = await pending().catch((error: unknown) => ({ error: String(error) }) as never);
      if (Object.values(last).every((n) => n === 0)) break;
      if (Date.now() - quiesceStart > options.quiesceS * 1000) {
        log(`quiesce timed out after ${options.quiesceS} s: ${JSON.stringify(last)}`);
        break;
      }
      await sleep(2_000);
    }
    sampling = false;
    clearInterval(progress);
    clearInterval(followed);
    await sampler;
    await streams.stop();
    figures['quiesceS'] = Math.round((Date.now() - quiesceStart) / 1000);
    log(`quiet after ${figures['quiesceS']} s; checking`);

    const accepted = [...ledger.orders.keys()];
    const snapshot = await takeSnapshot(shop, accepted, [...ledger.refusedCustomers]);
    const context = { snapshot, ledger, exits: shop.exits, faults: faultRecords, startedAt, replicas: options.replicas, streams: [...streams.follows.values()] };
    results.push(...runChecks(context));
    const views = [...snapshot.views.values()];
    const seenTwice = new Map<string, number>();
    for (const m of snapshot.mail) seenTwice.set(m.messageId, (seenTwice.get(m.messageId) ?? 0) + 1);
    Object.assign(figures, {
      operations: workload.started,
      requests: ledger.exchanges.length,
      noAnswerOr5xx: ledger.exchanges.filter((e) => !definite(e.status)).length,
      ordersAccepted: accepted.length,
      ordersLost: views.filter((v) => !v).length + (accepted.length - snapshot.views.size),
      ordersStuck: views.filter((v) => v && !finalStatuses.includes(v.status)).length,
      ordersByStatus: views.reduce<Record<string, number>>((a, v) => ((a[v?.status ?? 'lost'] = (a[v?.status ?? 'lost'] ?? 0) + 1), a), {}),
      ordersDoubled: results.find((r) => r.name === 'idempotency held')?.details.filter((d) => d.includes('made')).length ?? 0,
      emailsSent: snapshot.emails.length,
      mailsDelivered: snapshot.mail.length,
      duplicateDeliveries: [...seenTwice.values()].filter((n) => n > 1).length,
      exits: shop.exits.length,
      unexpectedExits: shop.exits.filter((x) => !x.expected).length,
      faultsByKind: faultRecords.reduce<Record<string, number>>((a, f) => ((a[f.fault.kind] = (a[f.fault.kind] ?? 0) + 1), a), {}),
      faultsFailed: faultRecords.filter((f) => f.error).length,
    });

    // Poison: every topic that is read, every kind of record nobody may apply.
    log('poison: writing records no consumer may apply');
    const poisoned = await sendPoison(kafka);
    const ops = createOperations(client, ledger);
    const after = await ops.place(-2, 'normal', ops.orderBody(richCustomers[0]!, [{ sku: 'CHAOS-TEA', quantity: 1 }]), randomUUID());
    const afterStatus = after.status === 202 ? await ops.until(-2, 'normal', after.body.orderId, 'CONFIRMED,REJECTED') : undefined;
    let findings = { passed: [] as string[], failed: [] as string[] };
    for (let n = 0; n < 30; n++) {
      findings = poisonFindings(poisoned, await deadLetters(kafka));
      if (findings.failed.length === 0) break;
      await sleep(2_000);
    }
    results.push({ name: 'poison: each record dead-lettered with its reason', passed: findings.failed.length === 0, scope: `${poisoned.length} records, ${findings.passed.length + findings.failed.length} (record, consumer) pairs`, details: findings.failed });
    results.push({ name: 'poison: an order placed right after completes', passed: afterStatus === 'CONFIRMED', scope: after.body?.orderId ?? 'no order', details: afterStatus === 'CONFIRMED' ? [] : [`placed ${after.status}, then ${afterStatus ?? 'not settled'}`] });
    figures['poison'] = { records: poisoned.length, deadLettered: findings.passed.length, missing: findings.failed.length };
    log(`poison: ${findings.passed.length} dead-lettered as expected, ${findings.failed.length} not`);

    // Fuzz: hostile requests over every endpoint; only 4xx for writes, no 5xx, nothing changed.
    if (options.fuzz > 0) {
      log(`fuzz: ${options.fuzz} hostile requests`);
      // The order placed after the poison moves on by itself (dispatch, delivery, its mail): let it
      // finish, and the shop fall quiet, so that any change seen is the fuzz's.
      const known = { orderId: after.body?.orderId ?? accepted[0] ?? randomUUID(), sku: 'CHAOS-TEA', customerId: richCustomers[0]! };
      await apiGet(shop, 'orders', `/orders/${known.orderId}?until=DELIVERED,REJECTED,CANCELLED&timeoutMs=30000`);
      for (let n = 0; n < 30; n++) {
        const left = await pending().catch(() => ({ error: 1 }));
        if (Object.values(left).every((x) => x === 0)) break;
        await sleep(1_000);
      }
      fuzz = await runFuzz(shop, known, { seed: options.seed, count: options.fuzz });
      results.push({ name: 'fuzz: only 4xx, no state change', passed: fuzz.failures.length === 0, scope: `${fuzz.sent} requests: ${JSON.stringify(fuzz.byStatus)}`, details: fuzz.failures.slice(0, 50) });
      figures['fuzz'] = { sent: fuzz.sent, byStatus: fuzz.byStatus, failures: fuzz.failures.length };
      log(`fuzz: ${fuzz.sent} sent, ${fuzz.failures.length} failures`);
    }

    // Control: plant each corruption, run the same checks, expect each to be seen.
    log('control: planting one corruption of each kind');
    const planted: string[] = [];
    for (const p of plants) {
      try {
        await p.plant(shop);
        planted.push(p.what);
      } catch (error) {
        results.push({ name: `control: ${p.what}`, passed: false, scope: p.check, details: [`could not plant: ${String(error)}`] });
      }
    }
    await sleep(500);
    const corrupted = runChecks({ ...context, snapshot: await takeSnapshot(shop, accepted, [...ledger.refusedCustomers]) });
    for (const p of plants.filter((x) => planted.includes(x.what))) {
      const seen = corrupted.find((r) => r.name === p.check);
      const before = results.find((r) => r.name === p.check);
      const detected = !!seen && !seen.passed && (!before || before.passed || seen.details.length > before.details.length);
      results.push({ name: `control: ${p.what}`, passed: detected, scope: p.check, details: detected ? [] : [`the check did not report it${seen ? ` (${seen.details.length} details)` : ''}`] });
    }
    figures['control'] = results.filter((r) => r.name.startsWith('control:')).map((r) => `${r.passed ? 'detected' : 'MISSED'}: ${r.name.slice(9)}`);
  } catch (error) {
    results.push({ name: 'the run itself', passed: false, scope: 'set-up, workload or checks', details: [error instanceof Error ? (error.stack ?? error.message) : String(error)] });
  } finally {
    await streams?.stop();
    await teardown();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('uncaughtException', onCrash);
  }

  const passed = results.filter((r) => r.passed).length;
  const failed = results.length - passed;
  for (const r of results) {
    log(`${r.passed ? 'PASS' : 'FAIL'} ${r.name} — ${r.scope}`);
    for (const d of r.details.slice(0, 10)) log(`       ${d}`);
  }
  const summary = [
    `seed ${options.seed}; ${options.minutes} min at ${options.rate}/s; replicas ${options.replicas}; nodes ${options.nodes}; faults ${options.faults}`,
    ...Object.entries(figures).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`),
    `${passed} passed, ${failed} failed`,
  ].join('\n');
  const stats = perSecond(ledger.exchanges);
  const files = writeReport(
    options.out,
    { options, schedule, figures, results, faults: faultRecords, lag, perSecond: stats, passed, failed },
    reportHtml({ title: `chaos run, seed ${options.seed}`, summary, stats, lag, faults: faultRecords, results, durationMs }),
  );
  writeLedger(path.join(options.out, 'ledger.jsonl'), ledger.exchanges);
  log(summary);
  log(`results: ${files.json}\nreport:  ${files.html}`);
  log(`${passed} passed, ${failed} failed`);
  return { results, passed, failed, files };
}

function writeLedger(file: string, exchanges: readonly unknown[]): void {
  writeFileSync(file, exchanges.map((e) => JSON.stringify(e)).join('\n') + '\n');
}
