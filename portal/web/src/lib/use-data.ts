/**
 * Data hooks for pages: named Cube queries loaded once each (two blocks reading the same query share the load),
 * and the warehouse snapshot.
 */
import { useEffect, useState } from 'react';
import type { CubeQuery } from '../../../../common/definitions/kpi/helpdesk.js';
import { ApiError, fetchSnapshot, type Snapshot } from './api.js';
import { loadQuery, type ResultSet } from './cube.js';

export type QueryState = { status: 'loading' } | { status: 'error'; error: string; unauthorized: boolean } | { status: 'ok'; resultSet: ResultSet };

export type QueryStates = Record<string, QueryState>;

function failure(error: unknown): { status: 'error'; error: string; unauthorized: boolean } {
  const unauthorized = error instanceof ApiError && error.status === 401;
  return { status: 'error', error: error instanceof Error ? error.message : String(error), unauthorized };
}

/** Load the named queries; the map must be stable (build it once with useMemo/useState). */
export function useCubeQueries(queries: Record<string, CubeQuery>): QueryStates {
  const [states, setStates] = useState<QueryStates>(() => Object.fromEntries(Object.keys(queries).map((name) => [name, { status: 'loading' } as QueryState])));
  useEffect(() => {
    let cancelled = false;
    setStates(Object.fromEntries(Object.keys(queries).map((name) => [name, { status: 'loading' } as QueryState])));
    for (const [name, query] of Object.entries(queries)) {
      loadQuery(query).then(
        (resultSet) => !cancelled && setStates((s) => ({ ...s, [name]: { status: 'ok', resultSet } })),
        (error: unknown) => !cancelled && setStates((s) => ({ ...s, [name]: failure(error) })),
      );
    }
    return () => {
      cancelled = true;
    };
  }, [queries]);
  return states;
}

export type SnapshotState =
  | { status: 'loading' }
  | { status: 'error'; error: string; unauthorized: boolean }
  /** snapshot null: nothing published yet (404). */
  | { status: 'ok'; snapshot: Snapshot | null };

export function useSnapshot(): SnapshotState {
  const [state, setState] = useState<SnapshotState>({ status: 'loading' });
  useEffect(() => {
    let cancelled = false;
    fetchSnapshot().then(
      (snapshot) => !cancelled && setState({ status: 'ok', snapshot }),
      (error: unknown) => !cancelled && setState(failure(error)),
    );
    return () => {
      cancelled = true;
    };
  }, []);
  return state;
}
