/**
 * How a service's reactions to events become the consumer's handlers, and the only place that knows
 * about modes:
 *
 *   projection  folds an event into a read model the service keeps: applied live AND in a replay
 *               (a replay rebuilds the read models from the log into empty tables);
 *   workflow    decides what the service does about an event (charge, reserve, schedule, the order
 *               saga) and appends it to the outbox: live only, since a replay must not act again.
 *
 * For one event, its projections run first (in the order given), then its workflows, all in the
 * consumer's transaction for that record, so a workflow sees the read model with the event in it.
 */
import type { EventType } from '@webshop/events';
import type { EventHandler, EventHandlers } from '@webshop/kafka';

export type Mode = 'live' | 'replay';

/** A reaction to some event types, each with its handler. */
export type Reactions = EventHandlers;

/** One handler for several event types (one fold for every event of an order, say). */
export function onEach<T extends EventType>(types: readonly T[], handler: EventHandler<T>): Reactions {
  const reactions: Record<string, unknown> = {};
  for (const type of types) reactions[type] = handler;
  return reactions as Reactions;
}

export interface ServiceReactions {
  projections?: readonly Reactions[];
  workflows?: readonly Reactions[];
}

/** The consumer's handlers for `mode`: projections and, live, workflows, in that order per event. */
export function eventHandlersFor({ projections = [], workflows = [] }: ServiceReactions, mode: Mode): EventHandlers {
  const steps = mode === 'live' ? [...projections, ...workflows] : [...projections];
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
