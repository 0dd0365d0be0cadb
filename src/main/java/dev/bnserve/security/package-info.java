/**
 * Access control: the optional API key (Spring Security, stateless bearer token) and its refusals as problems.
 */
package dev.bnserve.security;
