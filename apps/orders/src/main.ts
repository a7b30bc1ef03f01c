import { runService } from '@webshop/service-kit';
import { readConfig } from './config';
import { ordersService } from './service';

runService(ordersService, () => readConfig());
