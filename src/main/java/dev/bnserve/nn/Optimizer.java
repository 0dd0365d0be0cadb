package dev.bnserve.nn;

/** Updates parameters in place from their gradients. One instance per training run (it keeps state). */
interface Optimizer {
    void step();
}
