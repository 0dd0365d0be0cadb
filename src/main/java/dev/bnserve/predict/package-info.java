/**
 * Stateless prediction: every ready model is compiled once into a serving model; a request places its rows in the
 * model's input order and runs the plan. Rows in, answers out, as domain values; no HTTP or JSON.
 */
package dev.bnserve.predict;
