/**
 * One decision, in the caller's transaction: load (and lock) what the decider needs, decide, fold
 * the events into the state, save the state after them, and append the published ones to the
 * outbox. The state and its events commit together or not at all (the transactional outbox), and
 * this is the only place that sequence is written.
 *
 * A decider may also tell facts no topic carries (a deposit, a sale committed): they change the
 * state like any event and stay in the service. Whether an event is published is the topic
 * registry's to say (libs/events), not the caller's.
 */
import type { Decider } from '@webshop/domain';
import { isEventType, type ServiceName } from '@webshop/events';
import { appendToOutbox, type AnyOutgoingEvent, type IncomingEvent } from '@webshop/kafka';
import type { PoolClient } from '@webshop/postgres';

/** What an event may be caused by: the record a consumer is handling (its id and trace). */
export type Cause = Pick<IncomingEvent, 'eventId' | 'traceparent'>;

export interface Fact {
  type: string;
  data: unknown;
}

export interface DecisionStore<State, Event> {
  /** Reads the state the command decides on, locking it for the rest of the transaction. */
  load(tx: PoolClient): Promise<State>;
  /** Stores the state the events led to; called only when there were events. */
  save(tx: PoolClient, after: State, context: { before: State; events: readonly Event[] }): Promise<void>;
}

export interface Decided<State, Event> {
  before: State;
  after: State;
  events: Event[];
}

export async function decideAndRecord<Command, State, Event extends Fact>(
  tx: PoolClient,
  service: ServiceName,
  decider: Pick<Decider<Command, State, Event>, 'decide' | 'evolve'>,
  store: DecisionStore<State, Event>,
  command: Command | ((state: State) => Command),
  causedBy?: Cause,
): Promise<Decided<State, Event>> {
  const before: State = await store.load(tx);
  // A command may need the state to be made (the time read once the locks are held, say).
  const resolved = typeof command === 'function' ? (command as (state: State) => Command)(before) : command;
  const events = decider.decide(resolved, before);
  if (events.length === 0) return { before, after: before, events };
  const after = events.reduce<State>((state, event) => decider.evolve(state, event), before);
  await store.save(tx, after, { before, events });
  await publishDecided(tx, service, events, causedBy);
  return { before, after, events };
}

/** Appends the events a topic carries to the outbox, caused by `causedBy`; facts stay out. */
export async function publishDecided(tx: PoolClient, service: ServiceName, events: readonly Fact[], causedBy?: Cause): Promise<void> {
  const published = events.filter((event) => isEventType(event.type)) as unknown as AnyOutgoingEvent[];
  await appendToOutbox(tx, service, causedBy ? published.map((event) => ({ ...event, causedBy })) : published);
}
