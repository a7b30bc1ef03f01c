import { readConfig } from './config';

const base = { KAFKA_BROKERS: '127.0.0.1:9092', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/email' };

describe('the email configuration', () => {
  it('needs SMTP_URL, and says so by name', () => {
    expect(() => readConfig(base)).toThrow(/SMTP_URL: is required/);
  });

  it('takes only an smtp:// or smtps:// URL', () => {
    expect(() => readConfig({ ...base, SMTP_URL: 'http://127.0.0.1:1025' })).toThrow(/SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
    expect(() => readConfig({ ...base, SMTP_URL: '' })).toThrow(/SMTP_URL: /);
    expect(() => readConfig({ ...base, SMTP_URL: 'not a url' })).toThrow(/SMTP_URL: /);
    expect(readConfig({ ...base, SMTP_URL: 'smtps://user:secret@mail.example.com:465' }).SMTP_URL).toBe('smtps://user:secret@mail.example.com:465');
  });

  it('defaults the port and the sender', () => {
    expect(readConfig({ ...base, SMTP_URL: 'smtp://127.0.0.1:1025' })).toMatchObject({ PORT: 3005, MAIL_FROM: 'Webshop <shop@example.com>' });
  });

  it('takes the lease of a claim in ms, two minutes unless told, at least a second', () => {
    const smtp = { ...base, SMTP_URL: 'smtp://127.0.0.1:1025' };
    expect(readConfig(smtp).EMAIL_CLAIM_MS).toBe(120_000);
    expect(readConfig({ ...smtp, EMAIL_CLAIM_MS: '3000' }).EMAIL_CLAIM_MS).toBe(3_000);
    expect(() => readConfig({ ...smtp, EMAIL_CLAIM_MS: '500' })).toThrow(/EMAIL_CLAIM_MS: /);
  });
});
