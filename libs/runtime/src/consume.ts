/**
 * How a service's reactions to events become the consumer's handlers, and the only place that knows
 * about modes:
 *
 *   projection  folds an event into a read model the service keeps: applied live AND in a replay
 *               (a replay rebuilds the read models from the log into empty tables);
 *   workflow    decides what the service does about an event (charge, reserve, schedule) and
 *               appends it to the outbox: live only, since a replay must not act again;
 *   view        a read model kept per key that a workflow decides on (orders' view and its saga,
 *               `decidingView`): the event folded in live and in a replay, the workflow's decisions
 *               made on the folded state live only, and the state saved once.
 *
 * For one event, its projections run first (in the order given), then its views, then its
 * workflows, all in the consumer's transaction for that record, so a workflow sees the read models
 * with the event in them.
 */
import type { EventType, ServiceName } from '@webshop/events';
import type { EventHandler, EventHandlers, IncomingEvent } from '@webshop/kafka';
import type { PoolClient } from '@webshop/postgres';
import { publishDecided, type DecisionStore, type Fact } from './decide';

export type Mode = 'live' | 'replay';

/** A reaction to some event types, each with its handler. */
export type Reactions = EventHandlers;

/** One handler for several event types (one fold for every event of an order, say). */
export function onEach<T extends EventType>(types: readonly T[], handler: EventHandler<T>): Reactions {
  const reactions: Record<string, unknown> = {};
  for (const type of types) reactions[type] = handler;
  return reactions as Reactions;
}

/** Reactions that differ by mode (a view whose workflow decides live only). */
export type ModalReactions = (mode: Mode) => Reactions;

export interface DecidingView<State, Step, Decision extends Fact> {
  /** Who publishes the decisions (the topics' single writer). */
  service: ServiceName;
  types: readonly EventType[];
  /** Where the state of the event's key is kept: loaded (and locked) once, saved once. */
  store(event: IncomingEvent): DecisionStore<State, IncomingEvent | Decision>;
  /** The state with the event folded in (may read more, such as what came before it). */
  fold(tx: PoolClient, state: State, event: IncomingEvent): State | Promise<State>;
  /** What the service decides on the folded state; its decisions are folded in as well. */
  workflow: { decide(step: Step, state: State): Decision[]; evolve(state: State, decision: Decision): State };
  /** The workflow's input for this turn (the time, read once the lock is held). */
  step(): Step;
}

/**
 * A read model a workflow decides on, with one load and one save per event: load the key's state,
 * fold the event in, and, live only, let the workflow decide on the result and fold its decisions
 * in; save when anything changed (a fold answers the same state when nothing did), and append the
 * decisions to the outbox caused by the event. A replay only folds, so a rebuild decides nothing again.
 */
export function decidingView<State, Step, Decision extends Fact>(view: DecidingView<State, Step, Decision>): ModalReactions {
  return (mode) =>
    onEach(view.types, async (event, tx) => {
      const store = view.store(event);
      const before = await store.load(tx);
      const folded: State = await view.fold(tx, before, event);
      const decisions = mode === 'live' ? view.workflow.decide(view.step(), folded) : [];
      const after = decisions.reduce<State>((state, decision) => view.workflow.evolve(state, decision), folded);
      if (after !== before) await store.save(tx, after, { before, events: [event, ...decisions] });
      await publishDecided(tx, view.service, decisions, event);
    });
}

export interface ServiceReactions {
  projections?: readonly Reactions[];
  views?: readonly ModalReactions[];
  workflows?: readonly Reactions[];
}

/** The consumer's handlers for `mode`: projections, views and, live, workflows, in that order per event. */
export function eventHandlersFor({ projections = [], views = [], workflows = [] }: ServiceReactions, mode: Mode): EventHandlers {
  const steps = [...projections, ...views.map((view) => view(mode)), ...(mode === 'live' ? workflows : [])];
  const byType = new Map<EventType, Array<EventHandler<EventType>>>();
  for (const reactions of steps) {
    for (const [type, handler] of Object.entries(reactions) as Array<[EventType, EventHandler<EventType> | undefined]>) {
      if (!handler) continue;
      byType.set(type, [...(byType.get(type) ?? []), handler]);
    }
  }
  const handlers: Record<string, EventHandler<EventType>> = {};
  for (const [type, chain] of byType) {
    handlers[type] =
      chain.length === 1
        ? chain[0]!
        : async (event, tx) => {
            for (const handler of chain) await handler(event, tx);
          };
  }
  return handlers as EventHandlers;
}
