/**
 * Real servers for the project's tests, each started by the test on a free loopback port from the installed binary
 * (or a binary shipped in a Maven artifact, or a container where Docker exists) and stopped by its PID; the fault
 * proxy; test certificates. Not published: tests import it (and the unpublished benchmarks), main code never does.
 */
@NullMarked
package io.github.distlock.testservers;

import org.jspecify.annotations.NullMarked;
