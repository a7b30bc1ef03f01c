import net from 'node:net';
import nodemailer from 'nodemailer';
import { startMailCatcher } from './mail-catcher';

describe('the mail catcher', () => {
  it('outlives a client that resets its connection mid-conversation, and takes mail after it', async () => {
    const catcher = await startMailCatcher();
    try {
      // A client killed mid-conversation: the kernel answers with a reset (RST), not a goodbye.
      const socket = net.connect(catcher.port, '127.0.0.1');
      await new Promise((resolve) => socket.once('data', resolve)); // the greeting
      socket.write('EHLO dying.example\r\n');
      await new Promise((resolve) => socket.once('data', resolve));
      socket.resetAndDestroy();
      await new Promise((resolve) => setTimeout(resolve, 200));

      await nodemailer.createTransport({ url: catcher.url }).sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'still here', text: 'hi' });
      expect((await catcher.waitForMessages(1)).map((m) => m.subject)).toEqual(['still here']);
    } finally {
      await catcher.stop();
    }
  });
});
