package io.github.distlock.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

import io.github.distlock.core.InvalidSettingException;
import io.github.distlock.core.engine.LockEngineSettings;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.core.spi.QueueingLeaseBackend;
import io.github.distlock.core.spi.ReleaseSubscription;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;

/**
 * A lease backend over N independent Redis masters (N odd, at least 3) by the Redlock algorithm of the Redis
 * documentation: a lease is held while a majority of the masters hold it.
 *
 * <h2>Per node</h2>
 * Each master is served by a {@link RedisLeaseBackend} of its own over its own {@link RedisConnections}, so the
 * scripts, key naming, owner checks, the queue of waiters and the hand-off subscription are the single-node ones,
 * unchanged. The time limit of a node's connections is the per-node timeout: it should be much smaller than the
 * lease time (tens of milliseconds for a lease of seconds), so that one silent master costs an attempt little.
 *
 * <h2>The rules</h2>
 * <ul>
 * <li><b>Acquire</b> sends the single-node acquire to all N masters in parallel and waits for every answer (each
 * bounded by its node's time limit). It is granted when a majority ({@code N / 2 + 1}) granted it and the validity
 * {@code lease - elapsed - drift} is still positive, the drift being the engine's default allowance
 * ({@link LockEngineSettings#clockDriftFor}: lease x 0.01 + 2 ms, the reference client's figure). Otherwise the
 * attempt fails and is released, in parallel, on every master that granted it or did not answer (one that refused
 * it holds another owner's lease, which the owner check would leave alone anyway). The engine applies the same rule
 * to its own clock, from before this call, and counts the lease's validity from there, so what it reports as held
 * is valid on a majority of the masters.</li>
 * <li><b>Refused or unavailable.</b> An attempt that a majority can no longer grant because more than
 * {@code N - majority} masters hold the key for another owner is refused, with the holder's remaining time being
 * when a majority of them would be free. An attempt that fails because masters did not answer throws
 * {@link RedisUnavailableException}: the engine fails closed.</li>
 * <li><b>Renew</b> extends the lease on all masters and holds only when a majority extended it within the validity
 * counted from the renewal's start. A majority refusing means the lease is lost ({@code false}); too few answers
 * throw, and the engine retries until the validity passes.</li>
 * <li><b>Release</b> goes to all masters, in parallel; it reports {@code true} when a majority released it.</li>
 * <li><b>Waiting</b> queues the owner on every master ({@link QueueingLeaseBackend}); each master hands the key to
 * its own oldest waiter on release and tells that waiter's process only, so a release wakes the waiters a key was
 * handed to, never everyone. The queues are ordered alike (by the end of each waiter's wait), so a release
 * normally hands the key to one waiter on every master; when they disagree, the waiter that got a minority fails
 * its attempt and releases those masters, which hands them on to their next waiter. Safety never depends on the
 * queues: every master keeps one owner, and only a majority is a lease.</li>
 * </ul>
 *
 * <h2>What it does not give</h2>
 * No fencing tokens: this is not a {@code FencingLeaseBackend}, so a {@code long @FencingToken} parameter fails
 * start-up. The single masters' tokens are not combined, since a maximum over different majorities is not ordered
 * across grants. Safety assumes bounded clock drift on every master and bounded process pauses; a master that loses
 * its data (a restart without {@code appendfsync always}) and rejoins at once can grant a second holder; keep a
 * restarted master out for longer than the longest lease.
 *
 * <p>Thread-safe. The fan-out runs on daemon threads the backend owns (started on demand, ended after 30 s idle);
 * the calling thread serves one master itself.
 *
 * @since 0.1.0
 */
public final class RedlockLeaseBackend implements QueueingLeaseBackend {

    /** The backend's name in logs, metrics and messages. */
    public static final String NAME = "redlock";

    /**
     * The per-node timeout when nothing else is configured: the reference figure for leases of seconds, with room
     * for a new connection on a local network.
     */
    public static final Duration DEFAULT_NODE_TIMEOUT = Duration.ofMillis(50);

    private static final Logger logger = LoggerFactory.getLogger(RedlockLeaseBackend.class);

    private static final AtomicInteger backendNumbers = new AtomicInteger();

    private final List<RedisConnections> connections;

    private final boolean ownsConnections;

    // The masters' addresses when this backend was given them; otherwise each connections' own description.
    private final @Nullable List<String> addresses;

    private final List<RedisLeaseBackend> nodes;

    private final int majority;

    private final ThreadPoolExecutor fanOut;

    // Waits beyond this for a node's answer only if its own time limit failed to end the call (a new connection may
    // overrun the limit by its connect timeout).
    private final long guardNanos;

    /**
     * Creates a backend over independent masters.
     * @param nodes the connections of each master, one standalone server each; their time limit is the per-node
     *     timeout. Closed by the caller, after this backend
     * @param options key naming, applied alike on every master
     * @throws InvalidSettingException naming {@code nodes} if there are fewer than 3 or an even number of them
     */
    public RedlockLeaseBackend(List<RedisConnections> nodes, RedisLockOptions options) {
        this(nodes, options, null);
    }

    private RedlockLeaseBackend(List<RedisConnections> nodes, RedisLockOptions options,
            @Nullable List<String> addresses) {
        Objects.requireNonNull(nodes, "nodes");
        Objects.requireNonNull(options, "options");
        requireOddMajority(nodes.size());
        this.connections = List.copyOf(nodes);
        this.ownsConnections = addresses != null;
        this.addresses = addresses;
        this.nodes = this.connections.stream().map(node -> new RedisLeaseBackend(node, options)).toList();
        this.majority = nodes.size() / 2 + 1;
        long longestLimit = this.connections.stream().mapToLong(node -> node.timeout().toNanos()).max().orElse(0);
        this.guardNanos = 2 * longestLimit + TimeUnit.MILLISECONDS.toNanos(100);
        int number = backendNumbers.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory factory = task -> {
            Thread thread = new Thread(task, "distlock-redlock-" + number + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.fanOut = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                factory);
    }

    /**
     * Creates a backend with connections of its own to each master, closed with it; they connect on first use, so
     * the backend can be created while masters are down.
     * @param masters the masters' addresses, each an independent standalone server (not a replica of another)
     * @param client settings of the connections to every master (credentials, TLS); its socket timeout is the
     *     per-node timeout
     * @param poolSize the most pooled connections per master
     * @param options key naming, applied alike on every master
     * @return the backend
     * @throws InvalidSettingException naming {@code nodes} or {@code poolSize} when it is invalid
     */
    public static RedlockLeaseBackend create(List<HostAndPort> masters, JedisClientConfig client, int poolSize,
            RedisLockOptions options) {
        requireOddMajority(masters.size());
        List<RedisConnections> nodes = new ArrayList<>();
        for (HostAndPort master : masters) {
            nodes.add(RedisConnections.create(RedisTopology.standalone(master.getHost(), master.getPort()), client,
                    client, poolSize));
        }
        return new RedlockLeaseBackend(nodes, options, masters.stream().map(HostAndPort::toString).toList());
    }

    /**
     * Checks a number of masters: odd, so that two majorities always share a master, and at least 3, so that one
     * master may fail.
     * @param count the number of masters
     * @throws InvalidSettingException naming {@code nodes} otherwise
     */
    public static void requireOddMajority(int count) {
        if (count < 3 || count % 2 == 0) {
            throw new InvalidSettingException("nodes", count + " nodes", "must be an odd number of at least 3 "
                    + "independent Redis masters (3, 5, 7, ...), so that any two majorities share a master");
        }
    }

    @Override
    public AcquireResult tryAcquire(String key, String ownerToken, Duration leaseTime) {
        return acquire(key, ownerToken, leaseTime, null);
    }

    @Override
    public AcquireResult tryAcquireOrQueue(String key, String ownerToken, Duration leaseTime, Duration remainingWait) {
        return acquire(key, ownerToken, leaseTime, remainingWait);
    }

    private AcquireResult acquire(String key, String ownerToken, Duration leaseTime, @Nullable Duration queueFor) {
        long start = System.nanoTime();
        Answers<AcquireResult> answers = onEveryNode("acquire", node -> (queueFor != null)
                ? node.tryAcquireOrQueue(key, ownerToken, leaseTime, queueFor)
                : node.tryAcquire(key, ownerToken, leaseTime));
        long elapsed = System.nanoTime() - start;
        int granted = answers.count(AcquireResult::isGranted);
        if (granted >= this.majority) {
            if (elapsed < validNanos(leaseTime)) {
                if (queueFor != null) {
                    // A master that refused may still queue this owner; it holds the lease now and waits no more.
                    leaveQueueInBackground(key, ownerToken, answers);
                }
                return AcquireResult.granted();
            }
            logger.warn("Acquiring lock '{}' on a majority of the Redlock masters took {} ms, longer than its "
                    + "validity; releasing it on every master", key, TimeUnit.NANOSECONDS.toMillis(elapsed));
            releaseWhereItMayHold(key, ownerToken, answers);
            return AcquireResult.heldByAnother();
        }
        releaseWhereItMayHold(key, ownerToken, answers);
        int refused = answers.answered() - granted;
        if (refused > this.nodes.size() - this.majority) {
            return refusedUntilAMajorityIsFree(answers);
        }
        throw answers.unavailable("acquire", key, this.majority);
    }

    // A majority is free once the majority-th shortest remaining lease among the masters has run out; a master that
    // did not answer, or did not say, never counts as free.
    private AcquireResult refusedUntilAMajorityIsFree(Answers<AcquireResult> answers) {
        List<Long> remaining = new ArrayList<>();
        for (int i = 0; i < this.nodes.size(); i++) {
            AcquireResult result = answers.value(i);
            if (result != null) {
                remaining.add(result.isGranted() ? 0L
                        : result.holderRemaining().map(Duration::toNanos).orElse(Long.MAX_VALUE));
            }
        }
        remaining.sort(null);
        long free = (remaining.size() >= this.majority) ? remaining.get(this.majority - 1) : Long.MAX_VALUE;
        return (free == Long.MAX_VALUE) ? AcquireResult.heldByAnother()
                : AcquireResult.heldByAnother(Duration.ofNanos(free));
    }

    @Override
    public boolean renewIfOwner(String key, String ownerToken, Duration leaseTime) {
        long start = System.nanoTime();
        Answers<Boolean> answers = onEveryNode("renewal", node -> node.renewIfOwner(key, ownerToken, leaseTime));
        long elapsed = System.nanoTime() - start;
        int renewed = answers.count(Boolean::booleanValue);
        if (renewed >= this.majority) {
            if (elapsed < validNanos(leaseTime)) {
                return true;
            }
            throw new RedisUnavailableException("Renewing lock '" + key + "' on a majority of the Redlock masters "
                    + "took " + TimeUnit.NANOSECONDS.toMillis(elapsed) + " ms, longer than its validity", null);
        }
        if (answers.answered() - renewed > this.nodes.size() - this.majority) {
            return false;
        }
        throw answers.unavailable("renewal", key, this.majority);
    }

    @Override
    public boolean releaseIfOwner(String key, String ownerToken) {
        Answers<Boolean> answers = onEveryNode("release", node -> node.releaseIfOwner(key, ownerToken));
        int released = answers.count(Boolean::booleanValue);
        if (released >= this.majority) {
            return true;
        }
        if (answers.answered() - released > this.nodes.size() - this.majority) {
            return false;
        }
        throw answers.unavailable("release", key, this.majority);
    }

    @Override
    public void leaveQueue(String key, String ownerToken) {
        Answers<Boolean> answers = onEveryNode("leaving the queue", node -> {
            node.leaveQueue(key, ownerToken);
            return true;
        });
        if (answers.answered() < this.majority) {
            throw answers.unavailable("leaving the queue", key, this.majority);
        }
    }

    @Override
    public ReleaseSubscription subscribeToHandOff(String key, String ownerToken, Runnable onHandOff) {
        // In parallel: a master whose subscription is not confirmed yet makes its registration wait its time limit.
        Answers<ReleaseSubscription> answers = onEveryNode("subscription",
                node -> node.subscribeToHandOff(key, ownerToken, onHandOff));
        List<ReleaseSubscription> subscriptions = new ArrayList<>();
        for (int i = 0; i < this.nodes.size(); i++) {
            ReleaseSubscription subscription = answers.value(i);
            if (subscription != null) {
                subscriptions.add(subscription);
            }
        }
        if (subscriptions.isEmpty()) {
            throw answers.unavailable("subscription", key, 1);
        }
        return () -> subscriptions.forEach(ReleaseSubscription::close);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int maxKeyLength() {
        return this.nodes.get(0).maxKeyLength();
    }

    /**
     * Returns the options every master runs with.
     * @return the options
     */
    public RedisLockOptions options() {
        return this.nodes.get(0).options();
    }

    /**
     * Returns how many masters must hold a lease: {@code N / 2 + 1}.
     * @return the majority
     */
    public int majority() {
        return this.majority;
    }

    /**
     * Returns where the masters are, for messages and the health: their addresses (never credentials), in the order
     * given.
     * @return the addresses, or for connections given to the constructor their own descriptions
     */
    public List<String> masters() {
        return (this.addresses != null) ? this.addresses
                : this.connections.stream().map(node -> node.describe("")).toList();
    }

    /**
     * Returns the connections of each master, in the order given.
     * @return the connections
     */
    public List<RedisConnections> nodes() {
        return this.connections;
    }

    /**
     * Asks every master for one {@code PING}, in parallel, each within its per-node timeout.
     * @return each master's address with {@code PONG}, or why it did not answer (never credentials), in the order
     *     the masters were given
     */
    public Map<String, String> pingEachMaster() {
        Answers<Map<String, String>> answers = onEveryNode("ping",
                node -> this.connections.get(this.nodes.indexOf(node)).pingEachServer());
        List<String> masters = masters();
        Map<String, String> result = new LinkedHashMap<>();
        for (int i = 0; i < this.nodes.size(); i++) {
            Map<String, String> answer = answers.value(i);
            // One server per master, so one answer; keyed by the master's address, known even when never connected.
            result.put(masters.get(i), (answer != null) ? String.join(", ", answer.values())
                    : "no answer: " + answers.failure(i));
        }
        return result;
    }

    /**
     * Stops the masters' hand-off subscriptions and the fan-out threads, and closes the connections if this backend
     * created them ({@link #create}); connections given to the constructor are left to their owner.
     */
    @Override
    public void close() {
        this.nodes.forEach(RedisLeaseBackend::close);
        this.fanOut.shutdown();
        if (this.ownsConnections) {
            this.connections.forEach(RedisConnections::close);
        }
    }

    private static long validNanos(Duration leaseTime) {
        return leaseTime.toNanos() - LockEngineSettings.defaults().clockDriftFor(leaseTime).toNanos();
    }

    private void releaseWhereItMayHold(String key, String ownerToken, Answers<AcquireResult> answers) {
        boolean[] mayHold = new boolean[this.nodes.size()];
        boolean any = false;
        for (int i = 0; i < mayHold.length; i++) {
            AcquireResult result = answers.value(i);
            mayHold[i] = result == null || result.isGranted();
            any |= mayHold[i];
        }
        if (!any) {
            return;
        }
        Answers<Boolean> released = onNodes(mayHold, "release", node -> node.releaseIfOwner(key, ownerToken));
        if (released.answered() < count(mayHold)) {
            // What stays ends with its lease time on those masters, a minority; the engine needs no more.
            logger.debug("Releasing the failed attempt on lock '{}' did not reach every master: {}", key,
                    released.failureSummary());
        }
    }

    private void leaveQueueInBackground(String key, String ownerToken, Answers<AcquireResult> answers) {
        for (int i = 0; i < this.nodes.size(); i++) {
            AcquireResult result = answers.value(i);
            if (result == null || !result.isGranted()) {
                RedisLeaseBackend node = this.nodes.get(i);
                try {
                    this.fanOut.execute(() -> {
                        try {
                            node.leaveQueue(key, ownerToken);
                        }
                        catch (RuntimeException ex) {
                            // The entry ends with the wait it was queued for.
                            logger.debug("Leaving the queue of lock '{}' on a Redlock master failed", key, ex);
                        }
                    });
                }
                catch (RejectedExecutionException ex) {
                    // Closing: the entry ends with its wait.
                }
            }
        }
    }

    private <T> Answers<T> onEveryNode(String operation, Function<RedisLeaseBackend, T> call) {
        boolean[] all = new boolean[this.nodes.size()];
        Arrays.fill(all, true);
        return onNodes(all, operation, call);
    }

    /**
     * Runs a call on the chosen masters in parallel, the calling thread serving the last of them, and collects
     * every answer; a master's failure is its answer.
     */
    private <T> Answers<T> onNodes(boolean[] chosen, String operation, Function<RedisLeaseBackend, T> call) {
        int size = this.nodes.size();
        List<FutureTask<T>> tasks = new ArrayList<>(size);
        int last = -1;
        for (int i = 0; i < size; i++) {
            if (chosen[i]) {
                last = i;
            }
        }
        for (int i = 0; i < size; i++) {
            if (!chosen[i]) {
                tasks.add(null);
                continue;
            }
            RedisLeaseBackend node = this.nodes.get(i);
            FutureTask<T> task = new FutureTask<>(() -> call.apply(node));
            tasks.add(task);
            if (i != last) {
                try {
                    this.fanOut.execute(task);
                }
                catch (RejectedExecutionException ex) {
                    throw new IllegalStateException("The Redlock backend was closed", ex);
                }
            }
        }
        if (last >= 0) {
            tasks.get(last).run();
        }
        long deadline = System.nanoTime() + this.guardNanos;
        Answers<T> answers = new Answers<>(size, this.connections);
        for (int i = 0; i < size; i++) {
            FutureTask<T> task = tasks.get(i);
            if (task != null) {
                answers.collect(i, task, deadline, operation);
            }
        }
        return answers;
    }

    private static int count(boolean[] flags) {
        int count = 0;
        for (boolean flag : flags) {
            count += flag ? 1 : 0;
        }
        return count;
    }

    /** The answers of the masters to one fanned-out call: a value or a failure per master asked. */
    private static final class Answers<T> {

        private final @Nullable Object[] values;

        private final @Nullable RuntimeException[] failures;

        private final List<RedisConnections> connections;

        private int answered;

        Answers(int size, List<RedisConnections> connections) {
            this.values = new Object[size];
            this.failures = new RuntimeException[size];
            this.connections = connections;
        }

        void collect(int node, Future<T> task, long deadline, String operation) {
            try {
                this.values[node] = task.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                this.answered++;
            }
            catch (ExecutionException ex) {
                this.failures[node] = (ex.getCause() instanceof RuntimeException runtime) ? runtime
                        : new IllegalStateException(ex.getCause());
            }
            catch (TimeoutException ex) {
                this.failures[node] = new RedisUnavailableException(this.connections.get(node).describe("")
                        + " did not end the " + operation + " within its time limit", null);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                this.failures[node] = new RedisUnavailableException("Interrupted while waiting for the " + operation
                        + " on " + this.connections.get(node).describe(""), null);
            }
        }

        @SuppressWarnings("unchecked")
        @Nullable T value(int node) {
            return (T) this.values[node];
        }

        int answered() {
            return this.answered;
        }

        int count(Predicate<T> test) {
            int count = 0;
            for (int i = 0; i < this.values.length; i++) {
                T value = value(i);
                if (value != null && test.test(value)) {
                    count++;
                }
            }
            return count;
        }

        @Nullable String failure(int node) {
            RuntimeException failure = this.failures[node];
            return (failure != null) ? failure.getMessage() : null;
        }

        String failureSummary() {
            List<String> reasons = new ArrayList<>();
            for (RuntimeException failure : this.failures) {
                if (failure != null) {
                    reasons.add(failure.getMessage());
                }
            }
            return String.join("; ", reasons);
        }

        RedisUnavailableException unavailable(String operation, String key, int needed) {
            RedisUnavailableException failure = new RedisUnavailableException("The " + operation + " of lock '" + key
                    + "' needs " + needed + " of " + this.values.length + " Redlock masters; " + this.answered
                    + " answered without enough of them agreeing, and the others failed: " + failureSummary(), null);
            for (RuntimeException cause : this.failures) {
                if (cause != null) {
                    failure.addSuppressed(cause);
                }
            }
            return failure;
        }

    }

}
