/** The backup sources (Veeam exports, Bareos/Bacula catalog): settings, I/O, row rules, object mapping. See README.md. */
export { parseBackupConfig, DEMO_SERVICE_MAP_NAME, type BackupConfig, type BackupConfigInput } from './config.js';
export { LEVEL_LABELS } from './codes.js';
export { loadVeeamColumnMap, parseVeeamColumnMap, type VeeamColumnMap } from './column-map.js';
export { checkVeeamFile } from './check-file.js';
export { VEEAM_SHAPES, detectVeeamShape, VeeamFormatError } from './veeam-shapes.js';
export { extractVeeamExports, listVeeamFiles, type VeeamRecord, type VeeamFileReport } from './veeam-extract.js';
export { validateVeeamRow, type VeeamSession } from './veeam-rows.js';
export { connectBareos, extractBareosJobs, NotBareosCatalogError, type RawBareosJob } from './bareos-extract.js';
export { validateBareosJob } from './bareos-rows.js';
export { normalizeServerName, deriveService, loadServiceMap, ObjectResolver } from './objects.js';
export { Hash64Set, hash64 } from './key-set.js';
export * from './values.js';
