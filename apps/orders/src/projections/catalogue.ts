/** Orders' copy of the catalogue, kept from ProductUpdated: what it prices orders with. Live and in a replay. */
import type { Reactions } from '@webshop/runtime';
import { upsertCatalogue } from '../adapters/pg/catalogue-store';

export const catalogueProjection: Reactions = {
  ProductUpdated: (event, tx) => upsertCatalogue(tx, event.data),
};
