package io.github.distlock.benchmarks.harness;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import io.github.distlock.benchmarks.contenders.Contenders;
import io.github.distlock.benchmarks.contenders.LockContender;

import org.jspecify.annotations.Nullable;

/**
 * The process of one contender. Started by the harness as
 * {@code ContenderMain <contender> <redis port> [<PostgreSQL JDBC URL> <census database JDBC URL>]}; prints
 * {@code READY} once its client is connected, then runs one command per line of standard input and answers each
 * with one {@code RESULT name=value ...} or {@code ERROR message} line:
 * <ul>
 * <li>{@code uncontended <threads> <warm-up ms> <measure ms> <count commands 0|1>}</li>
 * <li>{@code contended <nodes> <warm-up ms> <measure ms> <critical section ns> <count commands 0|1>}</li>
 * <li>{@code scale <keys> <threads>}</li>
 * <li>{@code flash-sale <nodes> <threads> <wait ms>}: every thread takes one key once, all at the same moment</li>
 * <li>{@code instances <other instances> <threads> <warm-up ms> <measure ms>}: uncontended, while that many other
 * instances exist that have each waited once</li>
 * <li>{@code trickle <ms> <period ms>}: one lock and unlock every period, as a quiet application would</li>
 * <li>{@code census uncontended <measure ms>} or {@code census contended <nodes> <measure ms> <critical section ns>}:
 * one pass without warm-up on fresh nodes of the census database, all closed afterwards, so that their server
 * processes end and report their transactions at once (PostgreSQL contenders)</li>
 * <li>{@code quit}</li>
 * </ul>
 * Anything the libraries print goes to standard error, which the harness keeps in a log file.
 */
public final class ContenderMain {

    static final String HOST = "127.0.0.1";

    private ContenderMain() {
    }

    /**
     * Runs the contender process.
     * @param args the contender id, the Redis port and, for a JDBC contender, the PostgreSQL URLs of the measured
     *     database and of the census database
     * @throws Exception if the contender cannot start
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2 && args.length != 4) {
            throw new IllegalArgumentException("usage: ContenderMain <contender> <redis port> [<jdbc url> "
                    + "<census jdbc url>]");
        }
        PrintStream protocol = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        Contenders kind = Contenders.byId(args[0]);
        int port = Integer.parseInt(args[1]);
        int status = 0;
        try {
            LockContender contender = kind.create(HOST, port, (args.length == 4) ? args[2] : null);
            RedisCommandStats commandStats = new RedisCommandStats(HOST, port);
            Workloads workloads = new Workloads(contender, kind.id(), commandStats);
            // The census's nodes live for one pass each; the contender that opens them is made once.
            Workloads census = (args.length == 4)
                    ? new Workloads(kind.create(HOST, port, args[3]), kind.id(), commandStats) : null;
            workloads.prepare();
            protocol.println("READY");
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = commands.readLine(); line != null && !line.trim().equals("quit");
                    line = commands.readLine()) {
                try {
                    String[] words = line.trim().split(" +");
                    Fields result = words[0].equals("census") ? census(census, words) : run(workloads, words);
                    protocol.println("RESULT " + result.toLine());
                }
                catch (Exception | AssertionError ex) {
                    ex.printStackTrace();
                    protocol.println("ERROR " + oneLine(ex));
                }
            }
        }
        catch (Throwable ex) {
            ex.printStackTrace();
            protocol.println("ERROR " + oneLine(ex));
            status = 1;
        }
        finally {
            System.err.flush();
            // No orderly shutdown of the clients: some take seconds (Redisson waits out a quiet period per client)
            // and leave non-daemon threads behind. Redis drops the connections when the process ends.
            Runtime.getRuntime().halt(status);
        }
    }

    private static String oneLine(Throwable ex) {
        return String.valueOf(ex).replaceAll("\\s+", " ");
    }

    private static Fields census(@Nullable Workloads census, String[] words) throws Exception {
        if (census == null) {
            throw new IllegalArgumentException("census needs a census database");
        }
        if (words[1].equals("contended")) {
            return census.contended(Integer.parseInt(words[2]), 0, Long.parseLong(words[3]), Long.parseLong(words[4]),
                    false);
        }
        try {
            return census.uncontended(1, 0, Long.parseLong(words[2]), false);
        }
        finally {
            census.closeClient();
        }
    }

    private static Fields run(Workloads workloads, String[] words) throws Exception {
        return switch (words[0]) {
            case "uncontended" -> workloads.uncontended(Integer.parseInt(words[1]), Long.parseLong(words[2]),
                    Long.parseLong(words[3]), words[4].equals("1"));
            case "contended" -> workloads.contended(Integer.parseInt(words[1]), Long.parseLong(words[2]),
                    Long.parseLong(words[3]), Long.parseLong(words[4]), words[5].equals("1"));
            case "flash-sale" -> workloads.flashSale(Integer.parseInt(words[1]), Integer.parseInt(words[2]),
                    Long.parseLong(words[3]));
            case "instances" -> workloads.instances(Integer.parseInt(words[1]), Integer.parseInt(words[2]),
                    Long.parseLong(words[3]), Long.parseLong(words[4]));
            case "scale" -> workloads.scale(Integer.parseInt(words[1]), Integer.parseInt(words[2]));
            case "trickle" -> workloads.trickle(Long.parseLong(words[1]), Long.parseLong(words[2]));
            default -> throw new IllegalArgumentException("Unknown command '" + words[0] + "'");
        };
    }

}
