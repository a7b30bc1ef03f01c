import { runService } from '@webshop/service-kit';
import { readConfig } from './config';
import { shippingService } from './service';

runService(shippingService, () => readConfig());
