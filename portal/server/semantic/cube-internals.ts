import { createRequire } from 'node:module';

/**
 * Every reach into Cube's packages below their public entry, in one place. Cube does not promise these
 * paths between versions (all `@cubejs-backend/*` packages are pinned to one exact version in package.json);
 * `tests/portal/server/cube-internals.test.ts` loads each one and fails naming the file when an upgrade moves it.
 *
 * The environment switches Cube reads when its modules load (no native transpiler, no Tesseract planner: both
 * need binaries these machines cannot download) are set by `loadCube()` just before the first require, not as a
 * side effect of importing this file.
 */
const require = createRequire(import.meta.url);

/** The files Pano requires, by what it takes from each. */
export const CUBE_INTERNAL_FILES = {
  serverCore: '@cubejs-backend/server-core',
  duckdbQuery: '@cubejs-backend/duckdb-driver/dist/src/DuckDBQuery.js',
  duckdbTransform: '@cubejs-backend/duckdb-driver/dist/src/Transform.js',
  gatewayQuery: '@cubejs-backend/api-gateway/dist/src/query.js',
  gatewayAnnotation: '@cubejs-backend/api-gateway/dist/src/helpers/prepare-annotation.js',
  gatewayDateParser: '@cubejs-backend/api-gateway/dist/src/date-parser.js',
} as const;

/** What each file must export (a test checks that every one is a function). */
export const CUBE_INTERNAL_EXPORTS: Record<keyof typeof CUBE_INTERNAL_FILES, string[]> = {
  serverCore: ['CompilerApi'],
  duckdbQuery: ['DuckDBQuery'],
  duckdbTransform: ['buildTransform', 'transformChunk', 'convertDuckDBParams'],
  gatewayQuery: ['normalizeQuery', 'remapToQueryAdapterFormat', 'getPivotQuery'],
  gatewayAnnotation: ['prepareAnnotation'],
  gatewayDateParser: ['dateParser'],
};

type AnyFn = (...args: any[]) => any;

export interface CubeInternals {
  CompilerApi: new (...args: any[]) => any;
  DuckDBQuery: new (...args: any[]) => any;
  buildTransform: AnyFn;
  transformChunk: AnyFn;
  convertDuckDBParams: AnyFn;
  normalizeQuery: AnyFn;
  remapToQueryAdapterFormat: AnyFn;
  getPivotQuery: AnyFn;
  prepareAnnotation: AnyFn;
  dateParser: (text: string, timezone: string, now?: Date) => [string, string];
}

let loaded: CubeInternals | null = null;

/** Loads (once) what Pano uses of Cube; throws naming the file and export when a Cube upgrade moved one. */
export function loadCube(): CubeInternals {
  if (loaded) return loaded;
  process.env.CUBEJS_TRANSPILATION_NATIVE = 'false';
  process.env.CUBEJS_TESSERACT_SQL_PLANNER = 'false';
  const out: Record<string, unknown> = {};
  for (const [key, file] of Object.entries(CUBE_INTERNAL_FILES) as Array<[keyof typeof CUBE_INTERNAL_FILES, string]>) {
    let mod: Record<string, unknown>;
    try {
      mod = require(file);
    } catch (e) {
      throw new Error(
        `Cube internals: cannot load ${file} (${(e as Error).message}); a Cube upgrade moved it — update portal/server/semantic/cube-internals.ts`,
      );
    }
    for (const name of CUBE_INTERNAL_EXPORTS[key]) {
      if (typeof mod[name] !== 'function') {
        throw new Error(`Cube internals: ${file} no longer exports ${name}; a Cube upgrade changed it — update portal/server/semantic/cube-internals.ts`);
      }
      out[name] = mod[name];
    }
  }
  loaded = out as unknown as CubeInternals;
  return loaded;
}
