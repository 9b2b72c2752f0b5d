/** The inventory sources: GLPI assets and Snipe-IT hardware. See README.md. */
export {
  ASSET_STATUS_LABELS,
  ASSET_TYPES,
  ITEMTYPE_LABELS,
  addMonths,
  asciiFold,
  assetTypeOfCategory,
  assetTypeOfGlpi,
  classifyState,
  parseAmount,
  parseDateOnly,
  resolveAssetUnit,
  splitPath,
  warrantyEnd,
  type AssetStatus,
  type AssetType,
  type AssetUnitResolution,
  type GlpiItemtype,
  type UnitCandidate,
  type Warranty,
} from './asset-rules.js';
export {
  GLPI_ASSET_COLUMNS,
  GLPI_ASSET_SHARED_TABLES,
  GLPI_ASSET_TABLES,
  GLPI_INFOCOM_COLUMNS,
  assetQuery,
  connectGlpiAssets,
  detectAssetLayout,
  extractGlpiAssets,
  type ExtractGlpiAssetsOptions,
  type GlpiAssetLayout,
  type GlpiAssetTable,
  type GroupLayout,
  type RawGlpiAsset,
} from './glpi-extract.js';
export { glpiAssetKey, validateGlpiAsset, type AssetValidation, type GlpiAssetRowOptions } from './glpi-rows.js';
export {
  SnipeItAuthError,
  SnipeItResponseError,
  extractSnipeItHardware,
  openSnipeIt,
  parseSnipeItConfig,
  snipeItConfigSchema,
  type FetchLike,
  type RawSnipeItAsset,
  type SnipeItConfig,
  type SnipeItConfigInput,
  type SnipeItHandle,
  type SnipeItPass,
} from './snipeit-extract.js';
export { maskSnipeItAsset, snipeItAssetKey, validateSnipeItAsset, type SnipeItRowOptions } from './snipeit-rows.js';
export { DAILY_COLUMNS, businessDay, recordDailySnapshot, type DailySnapshotSpec } from './daily-snapshot.js';
