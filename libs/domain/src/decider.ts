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
