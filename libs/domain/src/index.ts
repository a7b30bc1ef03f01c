export { DomainError, type DomainErrorDetail, type DomainErrorStatus } from './domain-error';
export { byType, type ByType, type Decider, type Projection, type Workflow } from './decider';
