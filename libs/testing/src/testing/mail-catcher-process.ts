/** A mail catcher in a process of its own, for a test that must see the process survive: prints its port, then each subject caught. */
import { startMailCatcher } from '../mail-catcher';

startMailCatcher().then((catcher) => {
  process.stdout.write(`port ${catcher.port}\n`);
  catcher.hook({ data: (mail) => void process.stdout.write(`caught ${mail.subject}\n`) });
});
