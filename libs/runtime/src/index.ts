export { decidingView, eventHandlersFor, onEach, type DecidingView, type ModalReactions, type Mode, type Reactions, type ServiceReactions } from './consume';
export { decideAndRecord, publishDecided, type Cause, type Decided, type DecisionStore, type Fact } from './decide';
