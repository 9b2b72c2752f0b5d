/**
 * Browser-safe definitions, read alike by the portal (in the browser) and by the server, the PDF renderer and
 * the scheduler (in Node): block types, report definitions, the KPI queries and catalogue, formats and roles.
 * Nothing here may import a Node module or anything outside this folder (checked by dependency-cruiser in
 * `npm test`), so a page and the PDF of the same report cannot disagree.
 */
export type { Block, ReportDefinition } from './blocks.js';
export { getReport, REPORTS } from './reports/index.js';
