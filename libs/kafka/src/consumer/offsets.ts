/** Kafka commits the offset of the NEXT record to read: one past the last one done. */
import type { Consumer } from 'kafkajs';

export type CommitOffsets = Consumer['commitOffsets'];

export const nextOffset = (offset: string): string => (BigInt(offset) + 1n).toString();
