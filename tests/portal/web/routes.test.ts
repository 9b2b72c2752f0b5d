import { describe, expect, it } from 'vitest';
import { isShellRoute, loginPathFor, matchRoute, PATHS, safeNextPath } from '../../../portal/web/src/lib/routes.js';
import { roleLabel, unitScopeNotice } from '../../../portal/web/src/lib/roles.js';

describe('matchRoute', () => {
  it.each([
    ['/', { name: 'home' }],
    ['/giris', { name: 'login' }],
    ['/giris/', { name: 'login' }],
    ['/yardim-masasi', { name: 'helpdesk' }],
    ['/kpi-katalogu', { name: 'catalogue' }],
    ['/kpi-katalogu/', { name: 'catalogue' }],
    ['/kpi-katalogu/x', { name: 'not-found', pathname: '/kpi-katalogu/x' }],
    ['/print/reports/helpdesk-weekly', { name: 'print-report', reportId: 'helpdesk-weekly' }],
    ['/print/reports/helpdesk-weekly/', { name: 'print-report', reportId: 'helpdesk-weekly' }],
    ['/print/reports/', { name: 'not-found', pathname: '/print/reports' }],
    ['/envanter', { name: 'not-found', pathname: '/envanter' }],
    ['/print/reports/%E0%A4%A', { name: 'not-found', pathname: '/print/reports/%E0%A4%A' }],
  ])('%s', (path, route) => {
    expect(matchRoute(path)).toEqual(route);
  });
  it('the KPI catalogue is a signed-in page in the app shell', () => {
    expect(PATHS.catalogue).toBe('/kpi-katalogu');
    expect(isShellRoute(matchRoute(PATHS.catalogue))).toBe(true);
    expect(isShellRoute(matchRoute('/print/reports/helpdesk-weekly'))).toBe(false);
    expect(isShellRoute(matchRoute('/giris'))).toBe(false);
  });
});

describe('safeNextPath', () => {
  it.each([
    ['/yardim-masasi?x=1', '/yardim-masasi?x=1'],
    [null, '/yardim-masasi'],
    ['https://evil.example/', '/yardim-masasi'],
    ['//evil.example/', '/yardim-masasi'],
    ['/\\evil.example', '/yardim-masasi'],
    ['/giris?next=/giris', '/yardim-masasi'],
    ['/kpi-katalogu', '/kpi-katalogu'],
  ])('%j → %s', (next, expected) => {
    expect(safeNextPath(next)).toBe(expected);
  });
  it('builds the login URL back to the current page', () => {
    expect(loginPathFor('/envanter?q=1')).toBe('/giris?next=%2Fenvanter%3Fq%3D1');
    expect(loginPathFor('/yardim-masasi')).toBe('/giris');
    expect(loginPathFor('/kpi-katalogu')).toBe('/giris?next=%2Fkpi-katalogu');
  });
});

describe('roles', () => {
  it.each([
    ['yonetim', 'Yönetim'],
    ['mudur', 'Müdür'],
    ['analist', 'Analist'],
    ['birim', 'Birim kullanıcısı'],
    ['ik', 'İnsan Kaynakları'],
    ['admin', 'Yönetici'],
  ])('%s → %s', (role, label) => {
    expect(roleLabel(role)).toBe(label);
  });
  it('tells a unit user their data is limited, and nobody else', () => {
    const birim = { role: 'birim', unitName: 'Fen İşleri Müdürlüğü', unitCode: 'FEN_ISLERI' };
    expect(unitScopeNotice(birim, ['yardim_masasi'])).toBe('Yalnızca Fen İşleri Müdürlüğü kayıtları gösterilmektedir.');
    expect(unitScopeNotice({ role: 'mudur', unitName: 'Bilgi İşlem Müdürlüğü' }, ['yardim_masasi'])).toBeNull();
    expect(unitScopeNotice(null, ['yardim_masasi'])).toBeNull();
  });
});
