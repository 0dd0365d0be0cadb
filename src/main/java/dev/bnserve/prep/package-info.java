/**
 * Preprocessing, in the BatchNorm spirit: everything learned from data (imputation means, category levels, which
 * columns are constant) is fitted on the training split only, stored in the model, and applied unchanged to every
 * prediction. Turns raw columns (numbers, categories, dates) into the encoded rows the network reads. Framework-free.
 */
package dev.bnserve.prep;
