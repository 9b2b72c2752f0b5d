import fs from 'node:fs';
import path from 'node:path';
import { loadCube } from './cube-internals.js';

// Cube's compiler runs in plain JavaScript here: no native transpiler, no Tesseract planner (loadCube sets both).
const { CompilerApi, DuckDBQuery } = loadCube();

/** The security context Pano puts in its JWTs and hands to Cube's access policies. */
export interface SecurityContext {
  sub: string;
  name?: string;
  roles: string[];
  unit_code?: string | null;
}

export interface RequestContext {
  securityContext: SecurityContext;
  requestId: string;
}

/**
 * Cube's CompilerApi without its native module: Jinja and Python are not used by Pano's model,
 * so the native instance only has to exist.
 */
class PanoCompilerApi extends (CompilerApi as any) {
  createNativeInstance() {
    return {
      newJinjaEngine: () => ({}),
      loadPythonContext: async () => ({}),
    };
  }
}

/** Reads the YAML model from `model/` (recursively) the way Cube's FileRepository does. */
export function modelRepository(modelDir: string) {
  const root = path.resolve(modelDir);
  const files = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return files(p);
      return /\.(ya?ml)$/.test(e.name) ? [p] : [];
    });
  return {
    localPath: () => root,
    dataSchemaFiles: async () =>
      files(root)
        .sort()
        .map((p) => ({ fileName: path.relative(root, p), content: fs.readFileSync(p, 'utf8') })),
  };
}

export type Compiler = any;

/** Creates the embedded compiler for a model folder. Roles in the security context are Cube's policy groups. */
export function createCompiler(modelDir: string, opts: { dbType?: 'duckdb' | 'postgres'; logger?: (msg: string, params: unknown) => void } = {}): Compiler {
  const dbType = opts.dbType ?? 'duckdb';
  return new (PanoCompilerApi as any)(modelRepository(modelDir), async () => dbType, {
    dialectClass: () => (dbType === 'duckdb' ? DuckDBQuery : undefined),
    contextToGroups: async (ctx: RequestContext) => ctx?.securityContext?.roles ?? [],
    logger: opts.logger ?? (() => undefined),
    allowNodeRequire: false,
    sqlCache: true,
    // An ungrouped query on a view lists rows as they are; Cube's primary-key check does not see a view's keys.
    allowUngroupedWithoutPrimaryKey: true,
  });
}
