/**
 * Given / when / then for the pure shapes of @webshop/domain, after Emmett's DeciderSpecification:
 *
 *   const spec = deciderSpec(orderDecider);
 *   spec.given([requested, paid]).when(cancel).then([cancelled]);
 *   spec.given([requested, delivered]).when(cancel).thenThrows('not_cancellable');
 *   spec.given([requested, cancelled]).when(cancel).thenNothingHappened();
 *
 * `given` folds past events from the decider's initial state; `givenState` starts from a state
 * (for what is not told by events, such as an account's balance) and folds the events after it.
 * `then` returns the scenario after the new events, so a spec can go on: `.when(next).then(...)`.
 * A workflow is specified the same way with its own `decide` and the state's `evolve`.
 */
import { DomainError, type Decider } from '@webshop/domain';

export interface Scenario<Command, State, Event> {
  /** The state the command meets. */
  readonly state: State;
  when(command: Command): Outcome<Command, State, Event>;
}

export interface Outcome<Command, State, Event> {
  /** The command decided exactly `expected`; answers the scenario after them. */
  then(expected: Event[]): Scenario<Command, State, Event>;
  /** The command decided nothing: no event, no refusal. */
  thenNothingHappened(): void;
  /** The command was refused with a DomainError of this code; answers it for further checks. */
  thenThrows(code: string): DomainError;
}

export function deciderSpec<Command, State, Event>(decider: Decider<Command, State, Event>) {
  const fold = (state: State, events: readonly Event[]) => events.reduce((s, e) => decider.evolve(s, e), state);

  const scenario = (state: State): Scenario<Command, State, Event> => ({
    state,
    when(command) {
      const decide = () => decider.decide(command, state);
      return {
        then(expected) {
          const events = decide();
          expect(events).toEqual(expected);
          return scenario(fold(state, events));
        },
        thenNothingHappened() {
          expect(decide()).toEqual([]);
        },
        thenThrows(code) {
          let events: Event[] | undefined;
          try {
            events = decide();
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
            expect(error.code).toBe(code);
            return error;
          }
          throw new Error(`expected a refusal "${code}", but the command decided ${JSON.stringify(events)}`);
        },
      };
    },
  });

  return {
    given: (events: readonly Event[] = []) => scenario(fold(decider.initialState(), events)),
    givenState: (state: State, events: readonly Event[] = []) => scenario(fold(state, events)),
  };
}
