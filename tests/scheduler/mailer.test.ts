import { describe, expect, it } from 'vitest';
import { DeliveryError } from '../../common/errors.js';
import { AUTOMATIC_NOTICE, composeReportMail, smtpTarget, toDeliveryError } from '../../scheduler/index.js';

/** Errors shaped the way nodemailer shapes them (code, responseCode, response). */
const smtpError = (message: string, fields: { code?: string; responseCode?: number; response?: string }) => Object.assign(new Error(message), fields);

describe('toDeliveryError: which SMTP failures are worth retrying', () => {
  it.each([
    ['connection refused', smtpError('connect ECONNREFUSED 10.0.0.5:25', { code: 'ESOCKET' }), true],
    ['connection dropped', smtpError('Connection closed unexpectedly', { code: 'ECONNECTION' }), true],
    ['greeting/socket timeout', smtpError('Greeting never received', { code: 'ETIMEDOUT' }), true],
    ['DNS failure', smtpError('getaddrinfo EAI_AGAIN mail.local', { code: 'EDNS' }), true],
    ['421 service not available', smtpError("Can't send mail", { code: 'EENVELOPE', responseCode: 421, response: '421 try later' }), true],
    ['451 greylisted', smtpError('Message failed', { code: 'EMESSAGE', responseCode: 451, response: '451 4.7.1 greylisted' }), true],
    ['452 mailbox full', smtpError('Recipient rejected', { code: 'EENVELOPE', responseCode: 452 }), true],
    ['550 unknown mailbox', smtpError("Can't send mail", { code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 unknown user' }), false],
    ['552 message too big', smtpError('Message failed', { code: 'EMESSAGE', responseCode: 552 }), false],
    ['535 authentication failed', smtpError('Invalid login', { code: 'EAUTH', responseCode: 535 }), false],
    ['no recipients (local envelope error)', smtpError('No recipients defined', { code: 'EENVELOPE' }), false],
    ['TLS certificate problem', smtpError('self-signed certificate', { code: 'ETLS' }), false],
    ['unknown failure', new Error('something odd'), true],
  ])('%s → retryable=%s', (_name, error, retryable) => {
    const e = toDeliveryError(error, 'mail.sultanbeyli.bel.tr:587');
    expect(e).toBeInstanceOf(DeliveryError);
    expect(e.retryable).toBe(retryable);
    expect(e.code).toBe('delivery_failed');
    expect(e.cause).toBe(error);
    expect(e.message).toMatch(/^SMTP mail\.sultanbeyli\.bel\.tr:587 /);
  });

  it('never puts the SMTP password into the message', () => {
    const url = 'smtp://pano:S3cr3t%21@mail.sultanbeyli.bel.tr:587';
    const e = toDeliveryError(new Error('auth failed for smtp://pano:S3cr3t!@mail.sultanbeyli.bel.tr using S3cr3t!'), smtpTarget(url), url);
    expect(e.message).not.toContain('S3cr3t');
    expect(e.message).toContain('mail.sultanbeyli.bel.tr:587');
  });

  it.each([
    ['smtp://user:pw@mail.example.org:2525', 'mail.example.org:2525'],
    ['smtp://mail.example.org', 'mail.example.org:587'],
    ['smtps://u:p@mail.example.org', 'mail.example.org:465'],
  ])('smtpTarget(%s) = %s', (url, target) => {
    expect(smtpTarget(url)).toBe(target);
  });
});

describe('composeReportMail', () => {
  it('writes a Turkish mail naming the attachment and the data freshness', () => {
    const mail = composeReportMail({
      reportTitle: 'Yardım Masası Haftalık Raporu',
      date: new Date('2026-11-30T05:00:00Z'),
      timezone: 'Europe/Istanbul',
      filename: 'yardim-masasi-haftalik-2026-11-30.pdf',
      pages: 3,
      dataAsOf: '2026-11-30T04:45:00Z',
    });
    expect(mail.subject).toBe('Yardım Masası Haftalık Raporu — 30.11.2026');
    expect(mail.text).toMatch(/^Merhaba,/);
    expect(mail.text).toContain('ekte PDF olarak yer almaktadır: yardim-masasi-haftalik-2026-11-30.pdf, 3 sayfa.');
    expect(mail.text).toContain('Rapordaki veriler 30.11.2026 07:45 itibarıyla günceldir.');
    expect(mail.text).toContain('Bu e-posta Pano tarafından otomatik gönderilmiştir.');
    expect(mail.html).toContain('<html lang="tr">');
    expect(mail.html).toContain(AUTOMATIC_NOTICE);
  });

  it('says nothing about freshness when it is unknown, and escapes HTML', () => {
    const mail = composeReportMail({
      reportTitle: 'A & B <Rapor>',
      date: new Date('2026-12-31T22:30:00Z'), // already 1 January in Istanbul
      timezone: 'Europe/Istanbul',
      filename: 'x.pdf',
      dataAsOf: null,
    });
    expect(mail.subject).toBe('A & B <Rapor> — 01.01.2027');
    expect(mail.text).not.toContain('itibarıyla');
    expect(mail.html).toContain('A &amp; B &lt;Rapor&gt;');
  });
});
