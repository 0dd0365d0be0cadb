/**
 * Training jobs: resolves a training spec against its dataset and the limits, queues it on a bounded executor, trains
 * it with the numeric core and records progress and the finished model in the store.
 */
package dev.bnserve.training;
