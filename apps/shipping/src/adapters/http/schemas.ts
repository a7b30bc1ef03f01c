/** What the shipping API accepts, checked once at the edge. */
import { z } from 'zod';

export const uuid = z.string().uuid();
