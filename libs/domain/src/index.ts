export { DomainError, type DomainErrorDetail, type DomainErrorStatus } from './domain-error';
export type { Decider, Projection, Workflow } from './decider';
