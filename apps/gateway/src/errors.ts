/**
 * Errors the gateway raises, each with a stable `code` (as undici and Node do), so callers and tests branch on
 * the code, never on the message.
 */

/** Base class: every gateway error carries a stable, machine-readable code. */
export class GatewayError extends Error {
  /** Stable identifier, e.g. `ERR_INVALID_STATIC_CONFIG`. */
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The static configuration (file, flags, environment) is invalid; the gateway cannot start. */
export class StaticConfigError extends GatewayError {
  /** One line per problem, each naming the path of the offending field. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('ERR_INVALID_STATIC_CONFIG', `invalid static configuration:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

/** A dynamic configuration file could not be read, rendered or parsed: the whole reload is rejected. */
export class ProviderLoadError extends GatewayError {
  /** The file at fault. */
  readonly file: string;

  constructor(file: string, message: string, options?: ErrorOptions) {
    super('ERR_PROVIDER_LOAD', `${file}: ${message}`, options);
    this.file = file;
  }
}

/** A router, service or middleware cannot be built; it is disabled and the rest of the config keeps working. */
export class ResourceError extends GatewayError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_INVALID_RESOURCE', message, options);
  }
}

/** A router rule cannot be parsed or uses a matcher wrongly; the router is disabled (Traefik §1.1). */
export class RuleError extends GatewayError {
  /** The rule as written in the configuration. */
  readonly rule: string;

  constructor(rule: string, reason: string) {
    super('ERR_INVALID_RULE', `error while parsing rule ${rule}: ${reason}`);
    this.rule = rule;
  }
}

/** The request path has a broken percent-encoding, so no rule can be matched against it (→ 400). */
export class BadRequestPathError extends GatewayError {
  constructor(reason: string) {
    super('ERR_BAD_REQUEST_PATH', reason);
  }
}

/**
 * The keys that sign access tokens cannot be had (issuer unreachable, a bad discovery document or key set) and
 * none are cached: a `jwt` middleware answers 503 rather than letting the request through.
 */
export class KeysUnavailableError extends GatewayError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_JWT_KEYS_UNAVAILABLE', message, options);
  }
}
