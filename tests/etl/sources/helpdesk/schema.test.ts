import { describe, expect, it } from 'vitest';
import { decodeGlpiText, glpiTicketRowSchema, validateGlpiTicket } from '../../../../etl/sources/helpdesk/rows.js';

/** A raw record as extract.ts returns it (the demo's ticket 1, more or less). */
const base = {
  id: 17,
  entities_id: 0,
  name: 'Yazıcıdan çıktı alınamıyor',
  date: '2025-01-03 16:30:00',
  closedate: '2025-01-07 10:00:00',
  solvedate: '2025-01-06 11:00:00',
  takeintoaccountdate: '2025-01-03 16:45:00',
  date_mod: '2025-01-07 10:00:00',
  date_creation: '2025-01-03 16:30:00',
  status: 6,
  type: 1,
  priority: 3,
  urgency: 3,
  impact: 3,
  itilcategories_id: 4,
  requesttypes_id: 1,
  locations_id: 1,
  time_to_resolve: '2025-01-07 15:30:00',
  time_to_own: '2025-01-06 11:30:00',
  slas_id_ttr: 5,
  slas_id_tto: 6,
  takeintoaccount_delay_stat: 900,
  solve_delay_stat: 12600,
  close_delay_stat: 20000,
  waiting_duration: 0,
  is_deleted: 0,
  category: 'Donanım > Yazıcı',
  entity: 'Sultanbeyli Belediyesi',
  entity_name: 'Sultanbeyli Belediyesi',
  requester_group: 'Fen İşleri Müdürlüğü',
  assigned_group: 'Bilgi İşlem Şefliği',
  sla_ttr_name: 'Çözüm – Orta (16 saat)',
  sla_tto_name: 'Üstlenme – Orta (4 saat)',
  satisfaction: 5,
  satisfaction_answered_at: '2025-01-08 09:00:00',
  followup_count: 2,
  solution_count: 1,
};

describe('glpiTicketRowSchema', () => {
  it('turns a raw record into a typed ticket with UTC instants and Turkish labels', () => {
    const v = validateGlpiTicket(base);
    expect(v).toEqual({
      ok: true,
      row: {
        id: 17,
        title: 'Yazıcıdan çıktı alınamıyor',
        openedAt: new Date('2025-01-03T13:30:00Z'),
        takenIntoAccountAt: new Date('2025-01-03T13:45:00Z'),
        solvedAt: new Date('2025-01-06T08:00:00Z'),
        closedAt: new Date('2025-01-07T07:00:00Z'),
        modifiedAt: new Date('2025-01-07T07:00:00Z'),
        status: 6,
        statusLabel: 'Kapandı',
        type: 1,
        typeLabel: 'Olay',
        priority: 3,
        priorityLabel: 'Orta',
        urgency: 3,
        impact: 3,
        category: 'Donanım > Yazıcı',
        entity: 'Sultanbeyli Belediyesi',
        entityName: 'Sultanbeyli Belediyesi',
        requesterGroup: 'Fen İşleri Müdürlüğü',
        assignedGroup: 'Bilgi İşlem Şefliği',
        technician: null,
        slaDueAt: new Date('2025-01-07T12:30:00Z'),
        ownDueAt: new Date('2025-01-06T08:30:00Z'),
        slaName: 'Çözüm – Orta (16 saat)',
        takeIntoAccountDelaySec: 900,
        solveDelaySec: 12600,
        closeDelaySec: 20000,
        waitingSec: 0,
        satisfaction: 5,
        followupCount: 2,
        solutionCount: 1,
      },
    });
    expect(glpiTicketRowSchema.parse(base).openedAt).toEqual(new Date('2025-01-03T13:30:00Z'));
  });

  it.each([
    [1, 'Yeni'],
    [2, 'Atanmış'],
    [3, 'Planlanmış'],
    [4, 'Beklemede'],
    [5, 'Çözüldü'],
    [6, 'Kapandı'],
  ])('status %i is %s', (status, label) => {
    const v = validateGlpiTicket({ ...base, status });
    expect(v.ok && v.row.statusLabel).toBe(label);
  });

  it.each([
    [1, 'Çok düşük'],
    [2, 'Düşük'],
    [3, 'Orta'],
    [4, 'Yüksek'],
    [5, 'Çok yüksek'],
    [6, 'Acil'],
  ])('priority %i is %s', (priority, label) => {
    const v = validateGlpiTicket({ ...base, priority });
    expect(v.ok && v.row.priorityLabel).toBe(label);
  });

  it('labels requests', () => {
    const v = validateGlpiTicket({ ...base, type: 2 });
    expect(v.ok && v.row.typeLabel).toBe('İstek');
  });

  it.each([
    [
      'zero dates mean null',
      { solvedate: '0000-00-00 00:00:00', closedate: '0000-00-00 00:00:00', status: 2 },
      { solvedAt: null, closedAt: null, solveDelaySec: null, closeDelaySec: null },
    ],
    ['null dates mean null', { solvedate: null, closedate: null, time_to_resolve: null, status: 2 }, { solvedAt: null, slaDueAt: null }],
    ['driver Date objects are taken as instants', { date: new Date('2025-01-03T13:30:00Z') }, { openedAt: new Date('2025-01-03T13:30:00Z') }],
    [
      'GLPI 10 HTML-encoded text is decoded',
      { category: 'Donanım &#62; Yazıcı', name: 'Ağ &amp; VPN &lt;acil&gt;' },
      { category: 'Donanım > Yazıcı', title: 'Ağ & VPN <acil>' },
    ],
    ['empty names become null', { requester_group: '  ', entity: '' }, { requesterGroup: null, entity: null }],
    ['a missing title is empty', { name: null }, { title: '' }],
    [
      'no take-into-account yet',
      { takeintoaccountdate: null, takeintoaccount_delay_stat: 0, status: 1 },
      { takeIntoAccountDelaySec: null, takenIntoAccountAt: null },
    ],
    ['date_mod missing falls back to date_creation', { date_mod: null }, { modifiedAt: new Date('2025-01-03T13:30:00Z') }],
    [
      'counts and codes given as strings (BIGINT from a driver)',
      { followup_count: '3', status: '5', solution_count: null },
      { followupCount: 3, status: 5, solutionCount: 0 },
    ],
    ['no survey answer', { satisfaction: null }, { satisfaction: null }],
  ])('%s', (_label, patch, expected) => {
    const v = validateGlpiTicket({ ...base, ...patch });
    if (!v.ok) throw new Error(v.reason);
    expect(v.row).toMatchObject(expected);
  });

  it('reads wall clock in the configured zone', () => {
    const v = validateGlpiTicket(base, 'UTC');
    expect(v.ok && v.row.openedAt).toEqual(new Date('2025-01-03T16:30:00Z'));
  });

  it.each([
    [
      'solved before opened',
      { date: '2024-02-01 09:00:00', solvedate: '2024-01-01 10:00:00', closedate: null },
      'solvedate 2024-01-01 10:00:00 is before date 2024-02-01 09:00:00',
    ],
    ['closed before opened', { closedate: '2025-01-02 10:00:00', solvedate: null }, 'closedate 2025-01-02 10:00:00 is before date 2025-01-03 16:30:00'],
    ['no opening date', { date: null }, 'date (opening time) is missing'],
    ['zero opening date', { date: '0000-00-00 00:00:00' }, 'date (opening time) is missing'],
    ['impossible date', { date: '2024-02-30 10:00:00' }, `date "2024-02-30 10:00:00" is not a date-time 'YYYY-MM-DD HH:MM:SS'`],
    ['status out of range', { status: 9 }, 'status must be an integer 1–6, got 9'],
    ['type out of range', { type: 3 }, 'type must be an integer 1–2, got 3'],
    ['urgency out of range', { urgency: 0 }, 'urgency must be an integer 1–5, got 0'],
    ['negative delay', { solve_delay_stat: -5 }, 'solve_delay_stat -5 is negative'],
    ['no id', { id: 0 }, 'id must be a positive integer'],
  ])('rejects %s', (_label, patch, reason) => {
    expect(validateGlpiTicket({ ...base, ...patch })).toEqual({ ok: false, reason });
  });

  it('reports every problem of a row at once', () => {
    const v = validateGlpiTicket({ ...base, status: 0, priority: 7 });
    expect(v.ok).toBe(false);
    expect(!v.ok && v.reason.split('; ')).toEqual(['status must be an integer 1–6, got 0', 'priority must be an integer 1–6, got 7']);
  });
});

describe('decodeGlpiText', () => {
  it.each([
    ['Donanım &#62; Yazıcı', 'Donanım > Yazıcı'],
    ['A &amp;lt; B', 'A &lt; B'],
    ['&#x130;mar', 'İmar'],
    ['düz metin', 'düz metin'],
    ['&bogus; kalır', '&bogus; kalır'],
  ])('%s → %s', (input, output) => {
    expect(decodeGlpiText(input)).toBe(output);
  });
});
