package io.github.distlock.testservers;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real etcd cluster of several members, each an {@link EtcdServer} process on free loopback ports with its own data
 * directory, for tests of leader change and quorum loss. Members are numbered from 1; a killed member keeps its data,
 * so {@link #restart(int)} brings it back into the cluster.
 *
 * <p>The members are started together, since none serves clients before a quorum has formed. The leader is read from
 * each member's maintenance status (etcd's JSON gateway, {@code /v3/maintenance/status}).
 *
 * <p>Not thread-safe: one test drives its cluster.
 */
public final class EtcdCluster implements AutoCloseable {

    private static final Duration QUORUM_TIMEOUT = Duration.ofSeconds(30);

    private static final Pattern MEMBER_ID = Pattern.compile("\"member_id\":\"(\\d+)\"");

    private static final Pattern LEADER = Pattern.compile("\"leader\":\"(\\d+)\"");

    private final List<EtcdServer> members;

    private final List<Boolean> running;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private EtcdCluster(List<EtcdServer> members) {
        this.members = members;
        this.running = new ArrayList<>(members.stream().map(member -> true).toList());
    }

    /**
     * Starts a cluster and waits until every member is healthy.
     * @param size how many members (3 for a quorum of 2)
     * @return the running cluster
     */
    public static EtcdCluster start(int size) {
        List<Integer> clientPorts = new ArrayList<>();
        List<Integer> peerPorts = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            clientPorts.add(FreePorts.next());
            peerPorts.add(FreePorts.next());
        }
        String initialCluster = peerPorts.stream()
            .map(port -> memberName(peerPorts.indexOf(port) + 1) + "=" + EtcdServer.peerUrl(port))
            .collect(Collectors.joining(","));
        ExecutorService starting = Executors.newFixedThreadPool(size);
        List<Future<EtcdServer>> starts = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int index = i;
            starts.add(starting.submit(() -> EtcdServer.startMember(clientPorts.get(index), peerPorts.get(index),
                    memberName(index + 1), initialCluster)));
        }
        starting.shutdown();
        List<EtcdServer> members = new ArrayList<>();
        RuntimeException failure = null;
        for (Future<EtcdServer> start : starts) {
            try {
                members.add(start.get(QUORUM_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS));
            }
            catch (Exception ex) {
                if (failure == null) {
                    failure = new IllegalStateException("Could not start an etcd cluster of " + size + " members",
                            ex);
                }
            }
        }
        if (failure != null) {
            members.forEach(EtcdServer::close);
            throw failure;
        }
        EtcdCluster cluster = new EtcdCluster(members);
        cluster.awaitLeader(QUORUM_TIMEOUT);
        return cluster;
    }

    private static String memberName(int member) {
        return "member" + member;
    }

    /**
     * Returns every member's client URL, for jetcd's endpoints.
     * @return the endpoints, member 1 first
     */
    public List<String> endpoints() {
        return this.members.stream().map(EtcdServer::endpoint).toList();
    }

    /**
     * Returns one member.
     * @param member the member's number, from 1
     * @return the member's server
     */
    public EtcdServer member(int member) {
        if (member < 1 || member > this.members.size()) {
            throw new IllegalArgumentException("The cluster has members 1 to " + this.members.size() + ", not "
                    + member);
        }
        return this.members.get(member - 1);
    }

    /**
     * Waits until a running member reports a leader that is a running member, and returns it.
     * @param timeout how long to wait for an election
     * @return the leading member's number
     * @throws IllegalStateException if no running member leads within the timeout
     */
    public int awaitLeader(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            int leader = currentLeader();
            if (leader != 0) {
                return leader;
            }
            Pause.of(Duration.ofMillis(50));
        }
        while (System.nanoTime() < deadline);
        throw new IllegalStateException("No member of the etcd cluster leads after " + timeout);
    }

    /**
     * Kills a member with SIGKILL, keeping its data.
     * @param member the member's number, from 1
     */
    public void kill(int member) {
        member(member).kill();
        this.running.set(member - 1, false);
    }

    /**
     * Starts a killed member again on its ports with its data; it rejoins the cluster.
     * @param member the member's number, from 1
     */
    public void restart(int member) {
        member(member).restart();
        this.running.set(member - 1, true);
    }

    /**
     * Stops every member by its PID and deletes their data.
     */
    @Override
    public void close() {
        this.members.forEach(EtcdServer::close);
    }

    // 0 while there is no leader among the running members.
    private int currentLeader() {
        List<String> ids = new ArrayList<>();
        String leaderId = null;
        for (int i = 0; i < this.members.size(); i++) {
            String status = this.running.get(i) ? status(this.members.get(i)) : null;
            String id = (status != null) ? find(MEMBER_ID, status) : null;
            ids.add(id);
            String leader = (status != null) ? find(LEADER, status) : null;
            if (leader != null && !leader.equals("0")) {
                leaderId = leader;
            }
        }
        return (leaderId != null) ? ids.indexOf(leaderId) + 1 : 0;
    }

    private String status(EtcdServer member) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(member.endpoint() + "/v3/maintenance/status"))
            .timeout(Duration.ofSeconds(1))
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build();
        try {
            HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
            return (response.statusCode() == 200) ? response.body() : null;
        }
        catch (IOException ex) {
            return null;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String find(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        return matcher.find() ? matcher.group(1) : null;
    }

}
