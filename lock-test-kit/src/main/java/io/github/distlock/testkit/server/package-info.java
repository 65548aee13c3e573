/**
 * Real servers for backend tests: each is started by the test on a free loopback port from the installed binary
 * (or a binary shipped in a Maven artifact, or a container where Docker exists) and stopped by its PID.
 */
@NullMarked
package io.github.distlock.testkit.server;

import org.jspecify.annotations.NullMarked;
