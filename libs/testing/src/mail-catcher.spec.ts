import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { startMailCatcher } from './mail-catcher';
import { waitFor } from '@webshop/testing-core';

describe('the mail catcher', () => {
  it('outlives a client that resets its connection in the middle of a message, and takes mail after it', async () => {
    // In a process of its own: an 'error' event nobody handles would end that process.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'testing/mail-catcher-process.ts')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TSX_TSCONFIG_PATH: path.resolve(__dirname, '../../../tsconfig.base.json') }, // the workspace's path aliases
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const port = Number((await waitFor(() => /port (\d+)/.exec(output) ?? undefined, { timeoutMs: 30_000, description: 'the catcher up' }))[1]);

      // A client killed in the middle of DATA: the kernel answers with a reset (RST), not a goodbye.
      const socket = net.connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('data', resolve)); // the greeting
      for (const command of ['EHLO dying.example', 'MAIL FROM:<a@example.com>', 'RCPT TO:<b@example.com>', 'DATA']) {
        socket.write(`${command}\r\n`);
        await new Promise((resolve) => socket.once('data', resolve));
      }
      socket.write('Subject: half a message\r\n\r\nand then');
      await new Promise((resolve) => setTimeout(resolve, 100));
      socket.resetAndDestroy();
      await new Promise((resolve) => setTimeout(resolve, 300));

      expect(child.exitCode).toBeNull();
      await nodemailer.createTransport({ url: `smtp://127.0.0.1:${port}` }).sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'still here', text: 'hi' });
      await waitFor(() => output.includes('caught still here'), { description: 'the next mail caught' });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('while refusing, answers 421 on a new connection and on one a pool kept open from before, and takes mail again after', async () => {
    const catcher = await startMailCatcher();
    const pool = nodemailer.createTransport({ url: catcher.url, pool: true, maxConnections: 1 });
    const send = (subject: string) => pool.sendMail({ from: 'a@example.com', to: 'b@example.com', subject, text: 'hi' });
    try {
      await send('before'); // the pool's one connection is open now, and stays open
      catcher.refuse(true);
      await expect(send('while down')).rejects.toMatchObject({ responseCode: 421 });
      await expect(nodemailer.createTransport({ url: catcher.url }).sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'fresh', text: 'hi' })).rejects.toMatchObject({ responseCode: 421 });
      catcher.refuse(false);
      await send('after');
      expect(catcher.messages.map((m) => m.subject)).toEqual(['before', 'after']);
    } finally {
      pool.close();
      await catcher.stop();
    }
  });
});
