/**
 * The semantic layer's one door: Cube's compiler on `model/`, the query service that serves Cube's REST contract
 * on it (with Pano's gateway checks), the warehouse readers it runs the compiled SQL on (DuckDB snapshots or
 * PostgreSQL, with Cube's own value transforms), and the model's governance (`pano model check`, the catalogue).
 */
export { createCompiler, type RequestContext, type SecurityContext } from './compiler.js';
export { CubeQueryService, freshnessOf } from './query-service.js';
export { checkModel, compileModelMeta, DEFAULT_CATALOGUE_FILE, renderCheckReport } from './model-check.js';
export { buildCatalogue, renderCatalogueMarkdown } from './model-docs.js';
export { NoSnapshotError, WarehouseReader, type Warehouse } from './warehouse/reader.js';
export { PostgresWarehouseReader } from './warehouse/postgres-reader.js';
