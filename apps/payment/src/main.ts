import { runService } from '@webshop/service-kit';
import { readConfig } from './config';
import { paymentService } from './service';

runService(paymentService, () => readConfig());
