/**
 * A small Bareos catalog content covering every case the connector must handle, written with plain SQL
 * (unquoted identifiers, literal values) so the same statements fill PostgreSQL, MariaDB and SQLite.
 */

type V = string | number | null;

export interface FixtureJob {
  JobId: number;
  Job: string;
  Name: string;
  Type: string;
  Level: string;
  ClientId: number;
  JobStatus: string;
  SchedTime: string | null;
  StartTime: string | null;
  EndTime: string | null;
  RealEndTime: string | null;
  JobFiles: number;
  JobBytes: number;
  ReadBytes: number;
  JobErrors: number;
  JobMissingFiles: number;
  PoolId: number;
  FileSetId: number;
  PriorJobId: number;
  Comment: string | null;
}

const job = (
  JobId: number,
  Name: string,
  Type: string,
  Level: string,
  ClientId: number,
  JobStatus: string,
  start: string | null,
  end: string | null,
  extra: Partial<FixtureJob> = {},
): FixtureJob => ({
  JobId,
  Job: `${Name}.${(start ?? '2024-03-05 00:00:00').replace(' ', '_').replace(/:/g, '.')}_${String(JobId).padStart(2, '0')}`,
  Name,
  Type,
  Level,
  ClientId,
  JobStatus,
  SchedTime: start,
  StartTime: start,
  EndTime: end,
  RealEndTime: end,
  JobFiles: 120,
  JobBytes: 5_000_000_000 + JobId,
  ReadBytes: 7_000_000_000 + JobId,
  JobErrors: 0,
  JobMissingFiles: 0,
  PoolId: Level === 'F' ? 1 : 2,
  FileSetId: 1,
  PriorJobId: 0,
  Comment: null,
  ...extra,
});

export const CLIENTS: Array<[number, string, string]> = [
  [1, 'ebys-db-fd', '24.0.1 (x86_64-pc-linux-gnu,ubuntu,Ubuntu 22.04 LTS)'],
  [2, 'dosya-fen-isleri-fd', '24.0.1 (x86_64-pc-linux-gnu,debian,Debian 12)'],
  [3, 'web01.sultanbeyli.local-fd', '24.0.1 (x86_64-pc-linux-gnu,ubuntu,Ubuntu 22.04 LTS)'],
];
export const POOLS: Array<[number, string]> = [
  [1, 'Full'],
  [2, 'Incremental'],
];
export const FILESETS: Array<[number, string]> = [[1, 'LinuxAll']];

/** Job: every status, level and type the mapping knows, a running and a queued job, an orphan client and two bad rows. */
export const JOBS: FixtureJob[] = [
  job(1, 'ebys-db-dump', 'B', 'F', 1, 'T', '2024-03-05 01:30:05', '2024-03-05 01:40:07'),
  job(2, 'dosya-fen-isleri-yedek', 'B', 'I', 2, 'W', '2024-03-05 22:00:10', '2024-03-05 22:20:00', { JobErrors: 2 }),
  job(3, 'dosya-fen-isleri-yedek', 'B', 'D', 2, 'E', '2024-03-06 22:00:10', '2024-03-06 22:05:00', { JobErrors: 150 }),
  job(4, 'web01-sistem', 'B', 'I', 3, 'e', '2024-03-05 21:30:00', '2024-03-05 21:31:00'),
  job(5, 'web01-sistem', 'B', 'I', 3, 'f', '2024-03-06 21:30:00', '2024-03-06 21:30:20', { JobBytes: 0, ReadBytes: 0, JobFiles: 0 }),
  job(6, 'web01-sistem', 'B', 'I', 3, 'A', null, null, { SchedTime: '2024-03-07 21:30:00' }),
  job(7, 'ebys-db-log', 'B', 'I', 1, 'R', '2024-03-08 10:00:00', null, { JobBytes: 0, ReadBytes: 0, JobFiles: 0 }),
  job(8, 'ebys-db-log', 'B', 'I', 1, 'C', null, null, { SchedTime: '2024-03-08 12:00:00' }),
  job(9, 'RestoreFiles', 'R', ' ', 2, 'T', '2024-03-05 14:00:00', '2024-03-05 14:03:00'),
  job(10, 'ebys-db-dogrulama', 'V', 'O', 1, 'D', '2024-03-10 06:00:00', '2024-03-10 06:30:00'),
  job(11, 'kopya-uzak', 'c', 'F', 1, 'T', '2024-03-10 08:00:00', '2024-03-10 08:00:05'),
  job(12, 'dosya-fen-isleri-yedek', 'B', 'f', 2, 'T', '2024-03-10 03:00:00', '2024-03-10 03:30:00', { PriorJobId: 2 }),
  job(13, 'eski-muhasebe-sistem', 'B', 'F', 99, 'T', '2024-03-05 21:00:00', '2024-03-05 21:10:00'),
  job(14, 'ebys-db-dump', 'B', 'F', 1, 'X', '2024-03-06 01:30:05', '2024-03-06 01:40:07'),
  job(15, 'ebys-db-dump', 'B', 'F', 1, 'T', '2024-03-07 01:30:05', '2024-03-07 00:30:07'),
  job(16, 'ebys-db-dump', 'B', 'F', 1, 'I', '2024-03-08 01:30:05', '2024-03-08 01:35:00'),
];

/** JobHisto: copies of Job rows 1–3 (read once, from Job), older jobs over three months, and one without times. */
export const HISTO: FixtureJob[] = [
  ...JOBS.slice(0, 3),
  job(101, 'ebys-db-dump', 'B', 'F', 1, 'T', '2023-12-30 01:30:00', '2023-12-30 01:41:00'),
  job(102, 'eski-muhasebe-sistem', 'B', 'F', 99, 'T', '2024-01-15 21:00:00', '2024-01-15 21:10:00'),
  job(103, 'dosya-fen-isleri-yedek', 'B', 'F', 2, 'T', '2024-02-04 22:00:00', '2024-02-04 23:30:00'),
  job(104, 'dosya-fen-isleri-yedek', 'B', 'I', 2, 'T', '2024-02-04 22:00:00', '2024-02-04 22:10:00'),
  job(105, 'web01-sistem', 'B', 'I', 3, 'A', null, null, { SchedTime: '2024-01-20 21:30:00' }),
];

/** Extraction order: Job by JobId, then JobHisto-only rows by StartTime and JobId, then those without StartTime. */
export const EXPECTED_ORDER = [...JOBS.map((j) => j.JobId), 101, 102, 103, 104, 105];

const lit = (v: V) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`);
const COLS: Array<keyof FixtureJob> = [
  'JobId',
  'Job',
  'Name',
  'Type',
  'Level',
  'ClientId',
  'JobStatus',
  'SchedTime',
  'StartTime',
  'EndTime',
  'RealEndTime',
  'JobFiles',
  'JobBytes',
  'ReadBytes',
  'JobErrors',
  'JobMissingFiles',
  'PoolId',
  'FileSetId',
  'PriorJobId',
  'Comment',
];

/**
 * INSERT statements for the fixture. Every column Pano reads is written (PostgreSQL's `JobHisto (LIKE Job)`
 * copies no defaults). `nullTime` is how a "not set" time is written (NULL, or SQLite's 0).
 */
export function fixtureInserts(opts: { nullTime?: string } = {}): string[] {
  const nt = opts.nullTime ?? 'NULL';
  const row = (j: FixtureJob) =>
    COLS.map((c) => {
      const v = j[c] as V;
      if (v === null && /Time$/.test(c) && c !== 'SchedTime') return nt;
      return lit(v);
    }).join(', ');
  return [
    ...CLIENTS.map(
      ([id, name, uname]) =>
        `INSERT INTO Client (ClientId, Name, UName, AutoPrune, FileRetention, JobRetention) VALUES (${id}, ${lit(name)}, ${lit(uname)}, 1, 5184000, 15552000)`,
    ),
    ...POOLS.map(([id, name]) => `INSERT INTO Pool (PoolId, Name, PoolType, LabelFormat) VALUES (${id}, ${lit(name)}, 'Backup', ${lit(`${name}-`)})`),
    ...FILESETS.map(([id, name]) => `INSERT INTO FileSet (FileSetId, FileSet, MD5, CreateTime) VALUES (${id}, ${lit(name)}, 'x', '2023-01-01 00:00:00')`),
    ...JOBS.map((j) => `INSERT INTO Job (${COLS.join(', ')}) VALUES (${row(j)})`),
    ...HISTO.map((j) => `INSERT INTO JobHisto (${COLS.join(', ')}) VALUES (${row(j)})`),
  ];
}

/**
 * The catalog tables Pano reads with Bareos' MySQL column types (core/src/cats/ddl/creates/mysql.sql):
 * names and job names are TINYBLOB, codes BINARY(1) — the driver hands them back as bytes.
 */
export const BAREOS_MYSQL_DDL = [
  `CREATE TABLE Job (JobId INTEGER UNSIGNED NOT NULL AUTO_INCREMENT, Job TINYBLOB NOT NULL, Name TINYBLOB NOT NULL, Type BINARY(1) NOT NULL,
    Level BINARY(1) NOT NULL, ClientId INTEGER DEFAULT 0, JobStatus BINARY(1) NOT NULL, SchedTime DATETIME, StartTime DATETIME, EndTime DATETIME,
    RealEndTime DATETIME, JobTDate BIGINT UNSIGNED DEFAULT 0, VolSessionId INTEGER UNSIGNED DEFAULT 0, VolSessionTime INTEGER UNSIGNED DEFAULT 0,
    JobFiles INTEGER UNSIGNED DEFAULT 0, JobBytes BIGINT UNSIGNED DEFAULT 0, ReadBytes BIGINT UNSIGNED DEFAULT 0, JobErrors INTEGER UNSIGNED DEFAULT 0,
    JobMissingFiles INTEGER UNSIGNED DEFAULT 0, PoolId INTEGER UNSIGNED DEFAULT 0, FileSetId INTEGER UNSIGNED DEFAULT 0, PriorJobId INTEGER UNSIGNED DEFAULT 0,
    PurgedFiles TINYINT DEFAULT 0, HasBase TINYINT DEFAULT 0, HasCache TINYINT DEFAULT 0, Reviewed TINYINT DEFAULT 0, Comment BLOB, PRIMARY KEY(JobId), INDEX (Name(128)))`,
  `CREATE TABLE JobHisto (JobId INTEGER UNSIGNED NOT NULL, Job TINYBLOB NOT NULL, Name TINYBLOB NOT NULL, Type BINARY(1) NOT NULL,
    Level BINARY(1) NOT NULL, ClientId INTEGER DEFAULT 0, JobStatus BINARY(1) NOT NULL, SchedTime DATETIME, StartTime DATETIME, EndTime DATETIME,
    RealEndTime DATETIME, JobTDate BIGINT UNSIGNED DEFAULT 0, VolSessionId INTEGER UNSIGNED DEFAULT 0, VolSessionTime INTEGER UNSIGNED DEFAULT 0,
    JobFiles INTEGER UNSIGNED DEFAULT 0, JobBytes BIGINT UNSIGNED DEFAULT 0, ReadBytes BIGINT UNSIGNED DEFAULT 0, JobErrors INTEGER UNSIGNED DEFAULT 0,
    JobMissingFiles INTEGER UNSIGNED DEFAULT 0, PoolId INTEGER UNSIGNED DEFAULT 0, FileSetId INTEGER UNSIGNED DEFAULT 0, PriorJobId INTEGER UNSIGNED DEFAULT 0,
    PurgedFiles TINYINT DEFAULT 0, HasBase TINYINT DEFAULT 0, HasCache TINYINT DEFAULT 0, Reviewed TINYINT DEFAULT 0, Comment BLOB, INDEX (StartTime))`,
  `CREATE TABLE Client (ClientId INTEGER UNSIGNED NOT NULL AUTO_INCREMENT, Name TINYBLOB NOT NULL, UName TINYBLOB NOT NULL, AutoPrune TINYINT DEFAULT 0,
    FileRetention BIGINT UNSIGNED DEFAULT 0, JobRetention BIGINT UNSIGNED DEFAULT 0, UNIQUE (Name(128)), PRIMARY KEY(ClientId))`,
  `CREATE TABLE Pool (PoolId INTEGER UNSIGNED NOT NULL AUTO_INCREMENT, Name TINYBLOB NOT NULL, PoolType ENUM('Backup','Copy','Cloned','Archive','Migration','Scratch') NOT NULL,
    LabelFormat TINYBLOB, UNIQUE (Name(128)), PRIMARY KEY (PoolId))`,
  `CREATE TABLE FileSet (FileSetId INTEGER UNSIGNED NOT NULL AUTO_INCREMENT, FileSet TINYBLOB NOT NULL, MD5 TINYBLOB, CreateTime DATETIME, FileSetText MEDIUMBLOB, PRIMARY KEY(FileSetId))`,
  `CREATE TABLE Status (JobStatus CHAR(1) BINARY NOT NULL, JobStatusLong BLOB, Severity INT, PRIMARY KEY (JobStatus))`,
];
