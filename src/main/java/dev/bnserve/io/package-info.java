/**
 * Durable file writes shared by the stores: write to a temporary file, fsync, rename atomically, fsync the directory.
 */
package dev.bnserve.io;
