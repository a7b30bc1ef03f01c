export { loadConfig, ConfigError, commonEnv } from './config';
export { createLogger, type Logger } from './logger';
export { HttpError, errorHandler, notFoundHandler, parseBody, type ErrorBody } from './http-errors';
export { storableString, unstorableReason, refuseUnstorableInput, pathParam, parseParam } from './storable-input';
export { createHttpApp, listen, type HealthCheck } from './http-app';
export { onShutdown } from './shutdown';
export { startService, type ServiceDefinition, type ServiceContext, type ServiceConfig, type RunningService } from './service';
export { createMetrics, type ServiceMetrics, type MetricsSources } from './metrics';
export { runService } from './main';
