export { LOG_LEVELS, LogLevel, loadEnv } from './env.ts';
export { type ErrorBody, errorHandler, notFoundHandler } from './error-handler.ts';
export { EnvError, HttpError } from './errors.ts';
export { type ListenOptions, listen, runMain } from './listen.ts';
export {
  DOCS_PATH,
  type DocumentedRoute,
  documentedRoutes,
  ErrorBodySchema,
  errorResponse,
  OPENAPI_PATH,
  type OpenApiOptions,
  registerOpenApi,
} from './openapi.ts';
export { createService, type Service, type ServiceOptions } from './service.ts';
export { type TitleRouteOptions, titleRoute } from './title-route.ts';
