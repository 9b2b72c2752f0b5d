/**
 * The one public entry of reports/: what reports exist (pure definitions) and how one becomes a PDF.
 * Other folders (scheduler/, the CLI, the portal server) import from here only.
 */
export { ReportRenderer, renderReportPdf, classifyRenderError, countPdfPages } from './render.js';
export { reportFileName, slugifyTr } from '../common/definitions/file-name.js';
export { getReport, REPORTS } from '../common/definitions/reports/index.js';
