/**
 * All of HTTP: the controllers, the prediction codec shared by the controller and the filter fast path, the request
 * size limit, and the one writer of {@code application/problem+json} used by every path that answers an error.
 */
package dev.bnserve.web;
