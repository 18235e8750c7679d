// One error type for every failed request; it renders itself as a metav1.Status.
import type { Status, StatusCause } from '../api/types.js';
import { fieldErrorMessage, type FieldError } from '../api/fielderrors.js';

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Status['details'],
  ) { super(message); }

  toStatus(): Status {
    const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) s.details = this.details;
    return s;
  }
}

/** "pods" or "daemonsets.apps": the qualified resource name upstream puts in messages. */
export function qualified(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

export const notFound = (resource: string, group: string, name: string) =>
  new ApiError(404, 'NotFound', `${qualified(resource, group)} "${name}" not found`, { name, group: group || undefined, kind: resource });

export const pathNotFound = () => new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});

export const alreadyExists = (resource: string, group: string, name: string) =>
  new ApiError(409, 'AlreadyExists', `${qualified(resource, group)} "${name}" already exists`, { name, group: group || undefined, kind: resource });

export const conflict = (resource: string, group: string, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again') =>
  new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": ${why}`, { name, group: group || undefined, kind: resource });

export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);

export const forbidden = (message: string, details?: Status['details']) => new ApiError(403, 'Forbidden', message, details);

export const methodNotAllowed = (verb: string, resource: string) =>
  new ApiError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${resource}"`, {});

/** What go-restful's 405 becomes through NewGenericServerResponse: no route has this method here. */
export const methodNotSupported = () =>
  new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', { causes: [{ reason: 'UnexpectedServerResponse', message: '405: Method Not Allowed' }] });

/** The request deadline (--request-timeout) passed before the request was read (NewTimeoutError). */
export const timeout = (message: string) => new ApiError(504, 'Timeout', `Timeout: ${message}`, {});

export const unsupportedMediaType = (accepted: string[]) =>
  new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`, {});

export const expired = (message: string) => new ApiError(410, 'Expired', message);

export const tooLarge = (message = 'the server has received a request that is too large') => new ApiError(413, 'RequestEntityTooLarge', message);

export const tooManyRequests = (message: string) => new ApiError(429, 'TooManyRequests', message, {});

export const unauthorized = () => new ApiError(401, 'Unauthorized', 'Unauthorized');

export const internal = (err: unknown) =>
  new ApiError(500, 'InternalError', `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`, { causes: [{ message: String(err) }] });

/** 422 Invalid: "<Kind>.<group> \"<name>\" is invalid: <field errors>" with causes. */
export function invalid(kind: string, group: string, name: string, errs: FieldError[]): ApiError {
  const msgs = errs.map(fieldErrorMessage);
  const summary = msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`;
  const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: fieldErrorMessage(e).slice(e.field.length + 2), field: e.field }));
  return new ApiError(422, 'Invalid', `${qualified(kind, group)} "${name}" is invalid: ${summary}`, { name, group: group || undefined, kind, causes });
}
