import { PanoError, SourceUnavailableError } from '../../../common/errors.js';
import { maskDigitRuns } from './text.js';

/**
 * An HR export file that cannot be read as a whole: wrong encoding, no header row, a required column
 * missing, a damaged workbook, a CSV that ends inside a quoted field. Names the file and, where it
 * applies, the column or line. Retrying will not help; a person has to fix or re-export the file.
 * Messages are masked (no digit run of nine or more survives), so they can go to logs as they are.
 */
export class HrExportError extends PanoError {
  readonly file: string;
  constructor(file: string, message: string, cause?: unknown) {
    super(maskDigitRuns(message), { code: 'hr_export_invalid', retryable: false, cause });
    this.file = file;
  }
}

/** The HR database is reachable but lacks a table or column Pano reads. Retrying will not help. */
export class HrDatabaseSchemaError extends SourceUnavailableError {
  override readonly code: string = 'hr_db_schema';
  override readonly retryable: boolean = false;
}
