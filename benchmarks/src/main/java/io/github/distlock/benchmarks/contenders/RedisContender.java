package io.github.distlock.benchmarks.contenders;

/**
 * A contender whose nodes connect to one Redis server. Thread-safe.
 */
abstract class RedisContender extends TrackingContender {

    final String host;

    final int port;

    RedisContender(String host, int port) {
        this.host = host;
        this.port = port;
    }

}
