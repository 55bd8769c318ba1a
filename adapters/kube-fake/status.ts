// Kubernetes `Status` answers. Every failure the fake API server gives is one of these, as JSON.

export type StatusReason =
  | 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'BadRequest' | 'MethodNotAllowed'
  | 'UnsupportedMediaType' | 'Gone' | 'Expired' | 'Forbidden' | 'InternalError' | 'NotAcceptable' | 'Unauthorized';

const CODES: Record<StatusReason, number> = {
  NotFound: 404, AlreadyExists: 409, Conflict: 409, Invalid: 422, BadRequest: 400, MethodNotAllowed: 405,
  UnsupportedMediaType: 415, Gone: 410, Expired: 410, Forbidden: 403, InternalError: 500, NotAcceptable: 406, Unauthorized: 401,
};

export type StatusDetails = { name?: string; group?: string; kind?: string };

export type KubeStatus = {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: StatusReason | '';
  details?: StatusDetails;
  code: number;
};

/** A request the API server refuses; carries the Status to send. */
export class ApiError extends Error {
  readonly code: number;
  constructor(readonly reason: StatusReason, message: string, readonly details?: StatusDetails, code?: number) {
    super(message);
    this.code = code ?? CODES[reason];
  }

  toStatus(): KubeStatus {
    return {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason,
      ...(this.details ? { details: this.details } : {}), code: this.code,
    };
  }
}

/** `pods "web-0" not found`, as the real API server words it. */
export function notFound(resource: string, group: string, name: string): ApiError {
  return new ApiError('NotFound', `${qualified(resource, group)} "${name}" not found`, { name, group, kind: resource });
}

export function alreadyExists(resource: string, group: string, name: string): ApiError {
  return new ApiError('AlreadyExists', `${qualified(resource, group)} "${name}" already exists`, { name, group, kind: resource });
}

export function conflict(resource: string, group: string, name: string): ApiError {
  return new ApiError(
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group, kind: resource },
  );
}

export function invalid(kind: string, group: string, name: string, message: string): ApiError {
  return new ApiError('Invalid', `${kind} "${name}" is invalid: ${message}`, { name, group, kind });
}

export function gone(message: string): ApiError {
  return new ApiError('Expired', message);
}

function qualified(resource: string, group: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}
