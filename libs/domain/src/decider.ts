/**
 * The shapes business logic takes here, after Emmett's (event-driven-io/emmett):
 *
 *   decider     decide(command, state) → events; evolve(state, event) → state; initialState()
 *   workflow    decide(input, state) → what to publish: the saga steps between services
 *   projection  evolve(view | null, event) → view: a read model folded from events
 *
 * All pure: no I/O, no clock, no ids made inside; time and ids come in with the command. A refusal
 * is a thrown DomainError; "nothing to do" is an empty array. The runtime (@webshop/runtime) runs
 * them in one transaction with their stores and the outbox; specs run them with
 * `deciderSpec` from @webshop/testing: given(events).when(command).then(events).
 */
export interface Decider<Command, State, Event> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

export interface Workflow<Input, State, Output> {
  decide(input: Input, state: State): Output[];
}

export interface Projection<View, Event> {
  evolve(view: View | null, event: Event): View | null;
}

/** One function per member of a union tagged by `type`: what `byType` calls for each. */
export type ByType<Union extends { type: string }, Args extends unknown[], Result> = {
  [T in Union['type']]: (value: Extract<Union, { type: T }>, ...args: Args) => Result;
};

/**
 * The function of a whole tagged union made of one function per member, e.g. a decider's
 * `decide(command, state)` from one decision per command, or a workflow's event → command. Every
 * member must have its function (the compiler says which is missing), as a `switch` with a `never`
 * check would, without writing that switch in every service.
 */
export function byType<Union extends { type: string }, Args extends unknown[], Result>(handlers: ByType<Union, Args, Result>): (value: Union, ...args: Args) => Result {
  return (value, ...args) => (handlers[value.type as Union['type']] as (value: Union, ...args: Args) => Result)(value, ...args);
}
