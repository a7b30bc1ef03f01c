import { runService } from '@webshop/service-kit';
import { readConfig } from './config';
import { stockService } from './service';

runService(stockService, () => readConfig());
