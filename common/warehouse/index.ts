/**
 * The warehouse contract, shared by its writer (the ETL) and its readers (the API server, tools): the snapshot
 * manifest, the read side of the snapshot folder, and the PostgreSQL warehouse's locks and channel.
 */
export { SnapshotDirectory, type SnapshotManifest } from './snapshots.js';
export { connect as connectPostgres, PANO_LOCK_CLASS, READ_LOCK, SNAPSHOT_CHANNEL } from './postgres.js';
