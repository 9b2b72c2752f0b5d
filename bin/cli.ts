import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import Table from 'cli-table3';
import cliProgress from 'cli-progress';
import { loadConfig, loadDotenv, type PanoConfig } from '../common/config.js';
import { audit, openAppDb } from '../common/db/app-db.js';
import { createApiKey, listApiKeys, revokeApiKey } from '../common/api-keys.js';
import { ConfigError, errorMessage, PanoError } from '../common/errors.js';
import { formatDateTime, formatNumber } from '../common/definitions/format.js';
import { createLogger, holdLogsWhileDrawing } from '../common/logger.js';
import { createUser, DEMO_USERS, listUsers, ROLE_LABELS, ROLES, seedDemoUsers, setUserActive } from '../common/users.js';
import {
  generateDemoSources,
  runConfiguredEtl,
  etlStatus,
  listQuarantine,
  checkSourceFile,
  renderFileCheck,
  describeChecks,
  SOURCE_STATE_WORDS,
  CHECK_FILE_SOURCES,
  unlockBuild,
} from '../etl/index.js';

loadDotenv();

function config(): PanoConfig {
  return loadConfig();
}

/**
 * A command's logger: PANO_LOG_LEVEL and PANO_LOG_FORMAT (human lines on a terminal, JSON otherwise), to standard
 * error. `quiet`: the command shows its own progress and summary, so at the default level only warnings and
 * errors are logged.
 */
function commandLogger(cfg: PanoConfig, opts: { quiet?: boolean } = {}) {
  return createLogger({ level: opts.quiet && cfg.logLevel === 'info' ? 'warn' : cfg.logLevel, format: cfg.logFormat });
}

const program = new Command();
program
  .name('pano')
  .description('Pano — Bilgi İşlem Müdürlüğü için iş zekâsı ve raporlama (BI and reporting for a municipal IT directorate)')
  .showHelpAfterError();

program
  .command('demo')
  .description('Generate the demo source systems (GLPI helpdesk database) and the demo users')
  .option('--seed <n>', 'random seed (same seed, same data)', '42')
  .option('--scale <x>', 'data volume: a multiplier (1 ≈ 40 000 tickets over 3 years) or "large" (≈ 1 M tickets, 10 M backup rows, 2 M invoice lines)', '1')
  .action(async (opts) => {
    const cfg = config();
    const logger = commandLogger(cfg, { quiet: Boolean(process.stdout.isTTY) }); // at a terminal the lines below say it
    const scale = opts.scale === 'large' ? 25 : Number(opts.scale);
    if (!(scale > 0)) throw new ConfigError(`--scale must be a positive number or "large", got "${opts.scale}"`);
    const summary = await generateDemoSources(cfg, { seed: Number(opts.seed), scale, now: new Date() });
    const db = await openAppDb(cfg.appDbUrl);
    await seedDemoUsers(db, cfg.scheduler.directorEmail);
    await db.destroy();
    logger.info(summary, 'demo.generated');
    console.log(`Demo kaynakları oluşturuldu (demo sources created) in ${cfg.sources.demoDir}`);
    printDemoLogins();
  });

const etl = program.command('etl').description('Load the source systems into a new warehouse snapshot');
etl
  .command('run')
  .description('Extract, validate, load and publish a new warehouse snapshot')
  .option('--source <id...>', 'only these sources or systems, e.g. glpi, telecom (the others keep their last data)')
  .option('--full', 'reload from scratch instead of incrementally')
  .option('--no-progress', 'no progress bars (logs only)')
  .action(async (opts) => {
    const cfg = config();
    const logger = commandLogger(cfg, { quiet: Boolean(process.stdout.isTTY && opts.progress) });
    const bars =
      process.stdout.isTTY && opts.progress
        ? new cliProgress.MultiBar(
            { format: ' {source} |{bar}| {value} satır, {rejected} reddedildi · {phase}', hideCursor: true, clearOnComplete: false },
            cliProgress.Presets.shades_classic,
          )
        : null;
    if (bars) holdLogsWhileDrawing(logger, bars); // log lines come below the bars when they stop, not through them
    const barOf = new Map<string, cliProgress.SingleBar>();
    const result = await runConfiguredEtl(cfg, logger, {
      sources: opts.source,
      full: Boolean(opts.full),
      onProgress: (p) => {
        if (!bars) return;
        let bar = barOf.get(p.source);
        if (!bar) {
          bar = bars.create(0, 0, { source: p.source.padEnd(8), rejected: 0, phase: p.phase });
          barOf.set(p.source, bar);
        }
        bar.setTotal(Math.max(p.rowsRead, 1));
        bar.update(p.rowsRead, { rejected: p.rowsRejected, phase: p.phase });
      },
    });
    bars?.stop();
    const table = newTable({ head: ['Kaynak (source)', 'Durum', 'Okunan', 'Yüklenen', 'Reddedilen', 'Kontroller', 'Veri tarihi'] });
    for (const s of result.sources) {
      table.push([
        s.title,
        SOURCE_STATE_WORDS[s.status],
        formatNumber(s.rowsRead),
        formatNumber(s.rowsLoaded),
        formatNumber(s.rowsRejected),
        describeChecks(s.checks),
        s.dataAsOf ? formatDateTime(s.dataAsOf) : '–',
      ]);
    }
    console.log(table.toString());
    for (const s of result.sources.filter((x) => x.message)) console.log(`! ${s.title}: ${s.message}`);
    if (result.publishError) console.log(`! ${result.publishError}`);
    if (result.manifest)
      console.log(`Yayımlanan anlık görüntü (published snapshot): ${result.manifest.snapshotId} · ${(result.durationMs / 1000).toFixed(1)} s`);
    else console.log('Yeni anlık görüntü yayımlanmadı; önceki veriler sunulmaya devam ediyor (nothing published; the last good snapshot keeps serving).');
    process.exitCode = result.failed ? 1 : 0;
  });
etl
  .command('status')
  .description('Show the last run per source and the serving snapshot')
  .action(async () => {
    const cfg = config();
    const st = await etlStatus(cfg);
    console.log(
      st.serving
        ? `Sunulan anlık görüntü (serving snapshot): ${st.serving.snapshotId}, yayım ${formatDateTime(st.serving.publishedAt)}`
        : 'Henüz yayımlanmış anlık görüntü yok (no snapshot published yet).',
    );
    const table = newTable({ head: ['Kaynak', 'Son çalıştırma (run)', 'Durum', 'Başlangıç', 'Okunan', 'Yüklenen', 'Reddedilen', 'Kontroller', 'Mesaj'] });
    for (const r of st.lastRuns) {
      table.push([
        r.source,
        r.run_id,
        SOURCE_STATE_WORDS[r.state],
        formatDateTime(r.started_at),
        formatNumber(r.rows_read),
        formatNumber(r.rows_loaded),
        formatNumber(r.rows_rejected),
        describeChecks(r.checks),
        (r.message ?? '').slice(0, 60),
      ]);
    }
    console.log(table.toString());
    if (st.snapshots.length) console.log(`Saklanan anlık görüntüler (kept for rollback): ${st.snapshots.map((s) => s.snapshotId).join(', ')}`);
  });
etl
  .command('quarantine')
  .description('List rows refused by the last runs, with the reason')
  .option('--source <id>', 'only this source')
  .option('--run <runId>', 'only this run (default: the latest run of each source)')
  .option('--limit <n>', 'at most this many rows', '50')
  .action(async (opts) => {
    const cfg = config();
    const rows = await listQuarantine(cfg, { source: opts.source, runId: opts.run, limit: Number(opts.limit) });
    if (!rows.length) return console.log('Karantinada kayıt yok (quarantine is empty).');
    const table = newTable({ head: ['Kaynak', 'Yer', 'Satır', 'Neden (reason)'], colWidths: [10, 22, 26, 70], wordWrap: true });
    for (const r of rows) table.push([r.source, r.location, r.locator, r.reason]);
    console.log(table.toString());
    console.log(`${rows.length} kayıt gösterildi (rows shown).`);
  });
etl
  .command('unlock')
  .description('Remove the build lock left by a run that is gone (refused while that run lives; --force for a run on another host)')
  .option('--force', "remove a lock held from another host (Pano cannot see that host's processes)")
  .action(async (opts) => {
    const cfg = config();
    const r = unlockBuild(cfg, { force: Boolean(opts.force) });
    if (!r.removed) return console.log(`Yapım kilidi yok (no build lock): ${r.file}`);
    const h = r.holder;
    const why = {
      gone: 'its process is gone',
      reused: 'its PID now names another process',
      elsewhere: 'held from another host; removed with --force',
      unreadable: 'the lock file could not be read',
      alive: '',
      none: '',
    }[r.state];
    const whose = h ? `run ${h.runId}, process ${h.pid} on ${h.host}, since ${h.startedAt}` : 'unknown holder';
    console.log(`Yapım kilidi kaldırıldı (build lock removed): ${r.file} — ${whose} (${why})`);
  });
etl
  .command('check-file <path>')
  .description('Show how a file would be read (source, shape, encoding, delimiter, column map, rows, first refused rows) without loading anything')
  .option('--source <id>', `the source that reads it: ${CHECK_FILE_SOURCES.join(', ')} (default: found from the file)`)
  .option('--column-map <file>', 'a column map to try instead of PANO_VEEAM_COLUMN_MAP / PANO_HR_COLUMN_MAP (with --source)')
  .option('--rejects <n>', 'how many refused rows to show', '5')
  .option('--json', 'machine-readable output')
  .action(async (file, opts) => {
    const cfg = config();
    const check = await checkSourceFile(cfg, file, { source: opts.source, columnMap: opts.columnMap, maxRejects: Math.max(0, Number(opts.rejects) || 0) });
    console.log(opts.json ? JSON.stringify(check, null, 2) : renderFileCheck(check));
    process.exitCode = check.refused ? 1 : 0;
  });

program
  .command('serve')
  .description('Start the portal, the API and the report scheduler')
  .option('--port <port>', 'port (default PANO_PORT or 4000)')
  .option('--no-scheduler', 'do not run scheduled reports')
  .action(async (opts) => {
    const cfg = config();
    const logger = commandLogger(cfg);
    const { startPano } = await import('../portal/server/pano.js');
    const pano = await startPano(cfg, logger, {
      port: opts.port ? Number(opts.port) : undefined,
      scheduler: opts.scheduler !== false && cfg.scheduler.enabled,
    });
    console.log(`\nPano çalışıyor (running): ${pano.publicUrl}`);
    if (cfg.mode === 'demo') printDemoLogins(pano.mailboxDir);
    const stop = async () => {
      await pano.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

const report = program.command('report').description('Render and send PDF reports');
report
  .command('render <reportId>')
  .description('Render a report to an A4 PDF')
  .requiredOption('--out <file>', 'the PDF file to write')
  .option('--as <username>', 'render with this user’s permissions', 'mudur')
  .action(async (reportId, opts) => {
    const cfg = config();
    const logger = commandLogger(cfg, { quiet: true });
    const { renderReportForUser } = await import('../portal/server/pano.js');
    const { pdf, pages } = await renderReportForUser(cfg, logger, reportId, opts.as);
    fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
    fs.writeFileSync(opts.out, pdf);
    console.log(`${opts.out}: ${pages} sayfa (pages), ${formatNumber(pdf.length / 1024, 0)} KB`);
  });
report
  .command('send <reportId>')
  .description('Render a report and e-mail it now')
  .requiredOption('--to <address...>', 'recipient e-mail address(es)')
  .option('--as <username>', 'render with this user’s permissions', 'mudur')
  .action(async (reportId, opts) => {
    const cfg = config();
    const logger = commandLogger(cfg, { quiet: true });
    const { sendReportNow } = await import('../portal/server/pano.js');
    const outcome = await sendReportNow(cfg, logger, reportId, opts.as, opts.to);
    for (const o of outcome) console.log(`${o.recipient}: ${o.status}${o.error ? ` — ${o.error}` : ''}`);
    process.exitCode = outcome.every((o) => o.status === 'sent') ? 0 : 1;
  });

// ── model governance: pano model check / pano model docs ──
const model = program.command('model').description('Model governance: check the semantic model (model/), write the KPI catalogue');
model
  .command('check')
  .description('Compile the model, query every member once, check the documentation rules and compare /meta with model/meta.snapshot.json')
  .option('--model <dir>', 'model folder (default: the project’s model/)')
  .option('--snapshot <file>', 'the committed /meta contract (default: <model>/meta.snapshot.json)')
  .option('--no-run', 'do not query the warehouse (CI without a warehouse)')
  .option('--strict', 'a view whose tables are not in the snapshot fails instead of being skipped')
  .option('--update', 'rewrite the snapshot (and, for the project’s model, docs/kpi-katalogu.md) from the model; commit them with the model change')
  .option('--json', 'machine-readable output')
  .action(async (opts) => {
    const { checkModel, renderCheckReport, DEFAULT_CATALOGUE_FILE, renderCatalogueMarkdown } = await import('../portal/server/semantic/index.js');
    let warehouse: import('../portal/server/index.js').Warehouse | undefined;
    if (opts.run !== false) {
      const cfg = config();
      const { openWarehouse } = await import('../portal/server/index.js');
      warehouse = openWarehouse(cfg, createLogger(cfg.logLevel === 'info' ? 'warn' : cfg.logLevel));
    }
    // --json keeps standard output for the JSON alone (Cube prints its planner notice with console.log).
    const log = console.log;
    if (opts.json) console.log = (...args: unknown[]) => console.error(...args);
    try {
      // --update on the project's model also rewrites the committed KPI catalogue: one command for both files.
      const ownModel = opts.update && !opts.model;
      const result = await checkModel({
        modelDir: opts.model,
        snapshotFile: opts.snapshot,
        run: opts.run !== false,
        warehouse,
        strict: Boolean(opts.strict),
        update: Boolean(opts.update),
        catalogue: ownModel,
      });
      let catalogueNote = '';
      if (ownModel && result.catalogue) {
        const text = renderCatalogueMarkdown(result.catalogue);
        const same = fs.existsSync(DEFAULT_CATALOGUE_FILE) && fs.readFileSync(DEFAULT_CATALOGUE_FILE, 'utf8') === text;
        if (!same) fs.writeFileSync(DEFAULT_CATALOGUE_FILE, text);
        catalogueNote = `KPI kataloğu (catalogue) ${path.relative(process.cwd(), DEFAULT_CATALOGUE_FILE)}: ${same ? 'zaten güncel (up to date)' : 'yeniden yazıldı (rewritten)'}`;
        delete result.catalogue;
      }
      console.log = log;
      console.log(opts.json ? JSON.stringify(result, null, 2) : renderCheckReport(result, { color: process.stdout.isTTY }));
      if (catalogueNote && !opts.json) console.log(catalogueNote);
      process.exitCode = result.ok ? 0 : 1;
    } finally {
      console.log = log;
      await warehouse?.close();
    }
  });
model
  .command('docs')
  .description('Write the KPI catalogue (every measure: title, formula, source, article) as Markdown, or JSON')
  .option('--model <dir>', 'model folder (default: the project’s model/)')
  .option('--out <file>', 'file to write (default: docs/kpi-katalogu.md; "-" for standard output)')
  .option('--json', 'write the JSON the portal reads (GET /api/model/catalogue) instead of Markdown')
  .action(async (opts) => {
    const { buildCatalogue, compileModelMeta, DEFAULT_CATALOGUE_FILE, renderCatalogueMarkdown } = await import('../portal/server/semantic/index.js');
    const catalogue = buildCatalogue(await compileModelMeta(opts.model));
    const text = opts.json ? `${JSON.stringify(catalogue, null, 2)}\n` : renderCatalogueMarkdown(catalogue);
    if (opts.out === '-') return void process.stdout.write(text);
    const out = path.resolve(opts.out ?? DEFAULT_CATALOGUE_FILE);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, text);
    const measures = catalogue.views.reduce((n, v) => n + v.measures.length, 0);
    console.log(`KPI kataloğu yazıldı (written): ${path.relative(process.cwd(), out) || out} · ${catalogue.views.length} görünüm, ${measures} ölçü`);
  });

const user = program.command('user').description('Manage users');
user
  .command('add <username>')
  .description('Add a user; the password is read from standard input')
  .addOption(new Option('--role <role>', 'role').choices([...ROLES]).makeOptionMandatory())
  .option('--unit <code>', 'unit code (required for birim)')
  .option('--name <displayName>', 'display name')
  .option('--email <address>', 'e-mail address')
  .action(async (username, opts) => {
    const cfg = config();
    const password = (await readStdin()).replace(/\r?\n$/, '');
    const db = await openAppDb(cfg.appDbUrl);
    try {
      const u = await createUser(db, { username, password, role: opts.role, unitCode: opts.unit ?? null, displayName: opts.name, email: opts.email ?? null });
      console.log(`Kullanıcı eklendi (user added): ${u.username} · ${ROLE_LABELS[u.role]}${u.unitCode ? ` · ${u.unitCode}` : ''}`);
    } finally {
      await db.destroy();
    }
  });
user
  .command('list')
  .description('List users')
  .action(async () => {
    const cfg = config();
    const db = await openAppDb(cfg.appDbUrl);
    const table = newTable({ head: ['Kullanıcı', 'Ad', 'Rol', 'Müdürlük', 'E-posta', 'Etkin'] });
    for (const u of await listUsers(db))
      table.push([u.username, u.displayName, ROLE_LABELS[u.role] ?? u.role, u.unitCode ?? '–', u.email ?? '–', u.active ? 'evet' : 'hayır']);
    console.log(table.toString());
    await db.destroy();
  });

for (const [name, active] of [
  ['disable', false],
  ['enable', true],
] as const) {
  user
    .command(`${name} <username>`)
    .description(active ? 'Enable a disabled user again' : 'Disable a user: they cannot log in, and their open sessions end within seconds')
    .action(async (username) => {
      const cfg = config();
      const db = await openAppDb(cfg.appDbUrl);
      try {
        if (!(await setUserActive(db, username, active))) throw new PanoError(`No user "${username}": see \`pano user list\``, { code: 'user_unknown' });
        await audit(db, process.env.USER ?? null, active ? 'user.enable' : 'user.disable', { username });
        console.log(active ? `Kullanıcı etkinleştirildi (enabled): ${username}` : `Kullanıcı devre dışı (disabled): ${username} — açık oturumları sona erdi`);
      } finally {
        await db.destroy();
      }
    });
}

const apikey = program.command('apikey').description('Manage API keys for services (API anahtarları)');
apikey
  .command('create <name>')
  .description('Create an API key; it is printed once and never stored in clear')
  .addOption(new Option('--role <role>', 'role the key acts with').choices([...ROLES]).makeOptionMandatory())
  .option('--unit <code>', 'unit code (required for birim)')
  .option('--expires <days>', 'days until the key expires (default: never)', (v) => Number(v))
  .action(async (name, opts) => {
    const cfg = config();
    const db = await openAppDb(cfg.appDbUrl);
    try {
      const { apiKey, key } = await createApiKey(db, {
        name,
        role: opts.role,
        unitCode: opts.unit ?? null,
        expiresInDays: opts.expires ?? null,
        createdBy: process.env.USER ?? null,
      });
      await audit(db, process.env.USER ?? null, 'apikey.create', { name, role: apiKey.role, unit_code: apiKey.unitCode });
      console.error(
        `API anahtarı oluşturuldu (API key created): ${apiKey.name} · ${ROLE_LABELS[apiKey.role]}${apiKey.unitCode ? ` · ${apiKey.unitCode}` : ''}${apiKey.expiresAt ? ` · bitiş ${apiKey.expiresAt.slice(0, 10)}` : ''}`,
      );
      console.error('Anahtar yalnızca şimdi gösterilir; saklayın (shown once — store it now). Kullanım: Authorization: <anahtar>');
      console.log(key);
    } finally {
      await db.destroy();
    }
  });
apikey
  .command('list')
  .description('List API keys (without the keys themselves)')
  .action(async () => {
    const cfg = config();
    const db = await openAppDb(cfg.appDbUrl);
    const table = newTable({ head: ['Ad', 'Önek', 'Rol', 'Müdürlük', 'Oluşturma', 'Bitiş', 'Son kullanım', 'Durum'] });
    const day = (v: string | null) => (v ? formatDateTime(new Date(v)) : '–');
    for (const k of await listApiKeys(db)) {
      const state = k.revokedAt ? 'iptal' : k.expiresAt && new Date(k.expiresAt) <= new Date() ? 'süresi doldu' : 'etkin';
      table.push([k.name, `${k.keyPrefix}…`, ROLE_LABELS[k.role] ?? k.role, k.unitCode ?? '–', day(k.createdAt), day(k.expiresAt), day(k.lastUsedAt), state]);
    }
    console.log(table.toString());
    await db.destroy();
  });
apikey
  .command('revoke <name>')
  .description('Revoke an API key (a running server refuses it within 30 seconds)')
  .action(async (name) => {
    const cfg = config();
    const db = await openAppDb(cfg.appDbUrl);
    try {
      if (!(await revokeApiKey(db, name))) throw new Error(`No active API key named "${name}"`);
      await audit(db, process.env.USER ?? null, 'apikey.revoke', { name });
      console.log(`API anahtarı iptal edildi (revoked): ${name}`);
    } finally {
      await db.destroy();
    }
  });

function printDemoLogins(mailboxDir?: string): void {
  console.log('\nDemo kullanıcıları (demo logins):');
  for (const u of DEMO_USERS) console.log(`  ${u.username.padEnd(8)} / ${u.password.padEnd(13)} ${ROLE_LABELS[u.role as keyof typeof ROLE_LABELS]}`);
  if (mailboxDir) console.log(`\nDemo posta kutusu (demo mailbox): ${mailboxDir}`);
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Parola (password): ');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

program.parseAsync().catch((e) => {
  console.error(`Hata (error): ${errorMessage(e)}`);
  if (!(e instanceof PanoError) && process.env.PANO_DEBUG) console.error(e);
  process.exit(e instanceof PanoError && e.code === 'config_invalid' ? 78 : 1);
});

/** A table for the terminal; plain (no colour codes) when the output is not a terminal. */
function newTable(opts: ConstructorParameters<typeof Table>[0]) {
  return new Table({ ...opts, style: process.stdout.isTTY ? undefined : { head: [], border: [] } });
}
