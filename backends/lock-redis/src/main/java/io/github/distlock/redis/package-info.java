/**
 * A lease backend on Redis through Jedis: one Lua script per operation, fencing tokens, and release notification
 * over one shared pub/sub subscription.
 */
@NullMarked
package io.github.distlock.redis;

import org.jspecify.annotations.NullMarked;
