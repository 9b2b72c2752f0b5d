/** The inventory sources: GLPI assets and Snipe-IT hardware. See README.md. */
export { addMonths } from './asset-rules.js';
export { GLPI_ASSET_TABLES, connectGlpiAssets, detectAssetLayout, extractGlpiAssets, type RawGlpiAsset } from './glpi-extract.js';
export { validateGlpiAsset } from './glpi-rows.js';
export { SnipeItAuthError, SnipeItResponseError, extractSnipeItHardware, openSnipeIt, type FetchLike, type SnipeItHandle } from './snipeit-extract.js';
export { maskSnipeItAsset, validateSnipeItAsset } from './snipeit-rows.js';
export { businessDay, recordDailySnapshot } from './daily-snapshot.js';
