/**
 * The one place that builds the Cube client. Queries go to Cube's REST API behind the portal server
 * (/cubejs-api/v1), with Pano's session token in the Authorization header; the server turns the token
 * into Cube's security context, so row-level security (a unit user sees only their unit) is enforced there.
 */
import cube, { RequestError, type CubeApi, type Query, type ResultSet } from '@cubejs-client/core';
import type { CubeQuery } from '../../../../common/definitions/kpi/helpdesk.js';
import { ApiError, getToken, handleUnauthorized } from './api.js';

export const CUBE_API_URL = '/cubejs-api/v1';

let client: { token: string; api: CubeApi } | null = null;

function cubeApi(token: string): CubeApi {
  if (client?.token !== token) client = { token, api: cube(token, { apiUrl: CUBE_API_URL }) };
  return client.api;
}

/** A Cube query that failed; the message is what the server said. */
export class QueryError extends Error {
  readonly status: number;
  constructor(message: string, options: { status: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'QueryError';
    this.status = options.status;
  }
}

function serverMessage(error: unknown): string {
  if (error instanceof RequestError) {
    const body = error.response as { error?: unknown } | undefined;
    if (body && typeof body.error === 'string' && body.error) return body.error;
    return error.message || `HTTP ${error.status}`;
  }
  if (error instanceof Error) {
    // The client reports a failed fetch as "network Error" and an aborted one as "aborted"/"timeout".
    if (/network error/i.test(error.message)) return 'Sunucuya ulaşılamadı';
    return error.message;
  }
  return String(error);
}

/** Load one query. A 401 ends the session (see api.ts); anything else becomes a QueryError with the server's text. */
export async function loadQuery(query: CubeQuery): Promise<ResultSet> {
  const token = getToken();
  if (!token) {
    handleUnauthorized();
    throw new ApiError('unauthorized', { status: 401 });
  }
  try {
    return await cubeApi(token).load(query as unknown as Query);
  } catch (error) {
    const status = error instanceof RequestError ? error.status : 0;
    if (status === 401) {
      handleUnauthorized();
      throw new ApiError('unauthorized', { status: 401, cause: error });
    }
    throw new QueryError(serverMessage(error), { status, cause: error });
  }
}

export type { ResultSet };
