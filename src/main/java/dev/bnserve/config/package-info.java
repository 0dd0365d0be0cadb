/**
 * The service settings: one {@code @ConfigurationProperties} record bound from {@code bnserve.*}, with every default
 * and limit named as in the README and in the errors that cite them.
 */
package dev.bnserve.config;
