/**
 * Models: the training spec (with its one set of defaults), the model record and its versioned JSON format, the model
 * store, and the problems of model references and documents. Knows datasets and the numeric core; no HTTP.
 */
package dev.bnserve.model;
