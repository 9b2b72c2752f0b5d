/** The HR source (insan kaynakları): config, readers (CSV, XLSX, PostgreSQL), row rules. See README.md. */
export { hrConfigSchema, parseHrConfig, type HrConfig } from './config.js';
export { loadHrColumnMap, parseHrColumnMap, mapHrValue, HR_FIELDS, HR_VALUE_FIELDS, type HrColumnMap } from './column-map.js';
export { checkHrFile, hrKindOfFileName, HR_KIND_TITLES, type HrFileCheck, type CheckHrFileOptions } from './check-file.js';
export { readCsvExport, sniffCsv, type CsvEncoding, type CsvDelimiter, type CsvSniff } from './csv.js';
export { readXlsxExport, xlsxCell } from './xlsx.js';
export { listExportFiles, readExportFiles, FILE_PATTERNS, type ExportFile, type ExportFileSet } from './files.js';
export { connectHrDatabase, readHrTable, hrTableColumns, checkHrDbUrl, HR_DB_TABLES, HR_DB_SCHEMA_SQL } from './database.js';
export { openHrOrigin, closeHrOrigin, extractHr, readPersonStatus, describeHrOrigin, HrRunState, type HrOrigin } from './extract.js';
export { FIELD_SPECS, mapHeaderRow, chooseHeaderRow, type HrKind, type HrField, type FieldSpec } from './headers.js';
export { makeHrRecord, maskHrRecord, type HrRecord } from './records.js';
export { HrExportError, HrDatabaseSchemaError } from './errors.js';
export { foldText, maskDigitRuns } from './text.js';
export { loadHrUnitMap, resolveHrUnit, UNIT_MAP_FILE, type HrUnitMap } from './units.js';
export {
  PersonnelValidator,
  TrainingValidator,
  LeaveValidator,
  RefusalStats,
  SeenKeys,
  PERSONNEL_COLUMNS,
  TRAINING_COLUMNS,
  LEAVE_COLUMNS,
  type PersonStatus,
  type RefusalKind,
} from './rows.js';
export {
  parseDate,
  parseDecimal,
  parseEmploymentType,
  parseGender,
  parseBirthYear,
  parseLeaveType,
  leaveTypeLabel,
  EMPLOYMENT_TYPES,
  EMPLOYMENT_TYPE_LABELS,
  GENDER_LABELS,
  LEAVE_TYPES,
  LEAVE_TYPE_LABELS,
  type EmploymentType,
  type Gender,
  type LeaveType,
  type Cell,
} from './values.js';
