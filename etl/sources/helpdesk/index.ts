/** The GLPI source: config schema, extract (I/O), row schema and unit resolution. See README.md. */
export { glpiConfigSchema, parseGlpiConfig, type GlpiConfig } from './config.js';
export {
  connectGlpi,
  extractGlpiTickets,
  readGlpiVersion,
  ticketQuery,
  NotGlpiDatabaseError,
  GLPI_TICKET_COLUMNS,
  GLPI_TABLES_READ,
  type RawGlpiTicket,
  type ExtractGlpiOptions,
  type ConnectGlpiOptions,
} from './extract.js';
export {
  glpiTicketRowSchema,
  makeGlpiTicketRowSchema,
  validateGlpiTicket,
  decodeGlpiText,
  STATUS_LABELS,
  TYPE_LABELS,
  PRIORITY_LABELS,
  type GlpiTicket,
  type GlpiValidation,
} from './rows.js';
export { loadUnitMap, resolveUnit, foldName, type UnitMap, type UnitResolution } from '../../unit-map.js';
