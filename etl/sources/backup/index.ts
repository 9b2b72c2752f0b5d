/** The backup sources (Veeam exports, Bareos/Bacula catalog): settings, I/O, row rules, object mapping. See README.md. */
export { backupConfigSchema, parseBackupConfig, BACKUP_ENV_NAMES, DEMO_SERVICE_MAP_NAME, type BackupConfig, type BackupConfigInput } from './config.js';
export {
  BAREOS_JOB_STATUS,
  BAREOS_LEVELS,
  BAREOS_TYPES,
  JOB_TYPE_LABELS,
  LEVEL_LABELS,
  STATUS_LABELS,
  isGood,
  isOutcome,
  veeamLevel,
  veeamStatus,
  type BackupStatus,
  type JobType,
  type LevelKind,
} from './codes.js';
export { loadVeeamColumnMap, parseVeeamColumnMap, VeeamValueMap, VEEAM_FIELDS, VEEAM_VALUE_FIELDS, type VeeamColumnMap } from './column-map.js';
export { checkVeeamFile, type VeeamFileCheck, type CheckVeeamFileOptions } from './check-file.js';
export { VEEAM_SHAPES, detectVeeamShape, VeeamFormatError, type VeeamShape, type VeeamShapeDef, type DetectedShape } from './veeam-shapes.js';
export {
  extractVeeamExports,
  listVeeamFiles,
  prepareVeeamFile,
  readVeeamFile,
  detectDelimiter,
  type VeeamRecord,
  type VeeamFileContext,
  type VeeamFileReport,
  type FileEncoding,
  type ReadVeeamFileOptions,
} from './veeam-extract.js';
export { validateVeeamRow, type VeeamSession, type VeeamValidation } from './veeam-rows.js';
export {
  connectBareos,
  extractBareosJobs,
  hasJobHisto,
  NotBareosCatalogError,
  BAREOS_TABLES_REQUIRED,
  JOB_PAGE_SQL,
  type RawBareosJob,
} from './bareos-extract.js';
export { validateBareosJob, type BareosJob, type BareosValidation } from './bareos-rows.js';
export {
  normalizeServerName,
  deriveService,
  loadServiceMap,
  patternMatcher,
  ObjectResolver,
  type ServiceMap,
  type ResolvedObject,
  type BackupTool,
} from './objects.js';
export { Hash64Set, hash64, hashHex } from './key-set.js';
export * from './values.js';
