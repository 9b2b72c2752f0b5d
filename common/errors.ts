/**
 * One base error for all of Pano. `code` is stable (for logs and API bodies),
 * `retryable` is the only thing the scheduler looks at, `cause` keeps the original.
 */
export class PanoError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(message: string, opts: { code?: string; retryable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = new.target.name;
    this.code = opts.code ?? 'pano_error';
    this.retryable = opts.retryable ?? false;
  }
}

export class ConfigError extends PanoError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'config_invalid', cause });
  }
}

/** A source system could not be read (down, refused, bad credentials). Usually worth retrying. */
export class SourceUnavailableError extends PanoError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'source_unavailable', retryable: true, cause });
  }
}

/** A query the API refuses: unknown member, bad operator, malformed body. */
export class QueryError extends PanoError {
  readonly status: number;
  constructor(message: string, status = 400, cause?: unknown) {
    super(message, { code: status === 403 ? 'forbidden' : 'bad_query', cause });
    this.status = status;
  }
}

export class AuthError extends PanoError {
  constructor(message: string) {
    super(message, { code: 'unauthorized' });
  }
}

/** Rendering or delivering a report failed; `retryable` says whether trying again may help. */
export class ReportError extends PanoError {
  constructor(message: string, opts: { retryable?: boolean; cause?: unknown; code?: string } = {}) {
    super(message, { code: opts.code ?? 'report_failed', retryable: opts.retryable ?? false, cause: opts.cause });
  }
}

export class DeliveryError extends PanoError {
  constructor(message: string, opts: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, { code: 'delivery_failed', retryable: opts.retryable ?? true, cause: opts.cause });
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
