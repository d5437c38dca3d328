// How a text becomes training and validation windows (timemachine.ts): the split and the partition, as words.
//   split 'book': the first numTrain overlapping windows train, the next numVal validate; 'full': the whole text.
//   partition 'random': shuffled windows, zero state per batch; 'sequential': streams carrying state.
export const SPLITS = ['book', 'full'] as const;
export type Split = (typeof SPLITS)[number];
export const PARTITIONS = ['random', 'sequential'] as const;
export type Partition = (typeof PARTITIONS)[number];
