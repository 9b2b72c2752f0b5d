/** The GLPI source: config schema, extract (I/O), row schema and unit resolution. See README.md. */
export { connectGlpi, extractGlpiTickets, type RawGlpiTicket } from './extract.js';
export { validateGlpiTicket } from './rows.js';
export { loadUnitMap, resolveUnit } from '../../unit-map.js';
