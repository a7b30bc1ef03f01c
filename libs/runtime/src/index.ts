export { eventHandlersFor, onEach, type Mode, type Reactions, type ServiceReactions } from './consume';
export { decideAndRecord, type Cause, type Decided, type DecisionStore, type Fact } from './decide';
