import { DomainError, type Decider } from '@webshop/domain';
import { deciderSpec } from './decider-spec';

// A counter that may not go above 2: the smallest decider with a refusal and a no-op.
type Event = { type: 'Incremented'; by: number };
type Command = { type: 'Increment'; by: number };
const counter: Decider<Command, number, Event> = {
  initialState: () => 0,
  evolve: (n, e) => n + e.by,
  decide(command, n) {
    if (command.by === 0) return [];
    if (n + command.by > 2) throw new DomainError(422, 'limit_exceeded', `${n} + ${command.by} > 2`);
    return [{ type: 'Incremented', by: command.by }];
  },
};
const spec = deciderSpec(counter);
const increment = (by: number): Command => ({ type: 'Increment', by });

describe('deciderSpec', () => {
  it('folds the given events and checks what the command decides, then goes on from there', () => {
    const after = spec.given([{ type: 'Incremented', by: 1 }]).when(increment(1)).then([{ type: 'Incremented', by: 1 }]);
    expect(after.state).toBe(2);
    after.when(increment(1)).thenThrows('limit_exceeded');
  });

  it('starts from a given state too', () => {
    expect(spec.givenState(1, [{ type: 'Incremented', by: 1 }]).state).toBe(2);
  });

  it('fails when the events differ, when something happened, or when nothing was refused', () => {
    expect(() => spec.given().when(increment(1)).then([])).toThrow();
    expect(() => spec.given().when(increment(1)).thenNothingHappened()).toThrow();
    expect(() => spec.given().when(increment(1)).thenThrows('limit_exceeded')).toThrow(/expected a refusal "limit_exceeded"/);
    expect(() => spec.given([{ type: 'Incremented', by: 2 }]).when(increment(1)).thenThrows('other_code')).toThrow();
  });

  it('passes on an error that is not a refusal', () => {
    const broken = deciderSpec<Command, number, Event>({ ...counter, decide: () => { throw new TypeError('bug'); } });
    expect(() => broken.given().when(increment(1)).thenThrows('limit_exceeded')).toThrow(TypeError);
  });
});
