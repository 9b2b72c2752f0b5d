/** The HR source (insan kaynakları): config, readers (CSV, XLSX, PostgreSQL), row rules. See README.md. */
export { parseHrConfig, type HrConfig } from './config.js';
export { loadHrColumnMap, parseHrColumnMap, type HrColumnMap } from './column-map.js';
export { checkHrFile, hrKindOfFileName, HR_KIND_TITLES } from './check-file.js';
export { readCsvExport, sniffCsv } from './csv.js';
export { readXlsxExport } from './xlsx.js';
export { listExportFiles } from './files.js';
export { connectHrDatabase, HR_DB_TABLES, HR_DB_SCHEMA_SQL } from './database.js';
export { openHrOrigin, closeHrOrigin, extractHr, readPersonStatus, describeHrOrigin, HrRunState, type HrOrigin } from './extract.js';
export { mapHeaderRow, type HrKind } from './headers.js';
export { makeHrRecord, maskHrRecord, type HrRecord } from './records.js';
export { HrExportError, HrDatabaseSchemaError } from './errors.js';
export { foldText, maskDigitRuns } from './text.js';
export { loadHrUnitMap, resolveHrUnit } from './units.js';
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
} from './rows.js';
export { parseDate, parseDecimal, parseEmploymentType, parseGender, parseBirthYear, parseLeaveType } from './values.js';
