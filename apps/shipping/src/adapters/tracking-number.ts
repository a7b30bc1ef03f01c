import { randomInt } from 'node:crypto';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `TRK-` and 10 random uppercase letters or digits (36^10 ≈ 3.7·10^15 of them): made at the edge. */
export const newTrackingNumber = (): string => `TRK-${Array.from({ length: 10 }, () => alphabet[randomInt(alphabet.length)]).join('')}`;
