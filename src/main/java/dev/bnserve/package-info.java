/**
 * The application: the Spring Boot entry point and the wiring of the stores. The only package that may depend on
 * every other one.
 */
package dev.bnserve;
