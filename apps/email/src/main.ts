import { runService } from '@webshop/service-kit';
import { readConfig } from './config';
import { emailService } from './service';

runService(emailService, () => readConfig());
