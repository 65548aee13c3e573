package io.github.distlock.etcd;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.etcd.jetcd.Auth;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.auth.Permission;
import io.github.distlock.core.spi.AcquireResult;
import io.github.distlock.testservers.EtcdServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * etcd with authentication on, as an operator would set it up for the locks: a role that may read and write only the
 * lock prefix, granted to the application's user. That user locks as usual; a user without the role can neither take
 * a lock key nor read or delete one that is held.
 */
class EtcdAuthTests {

    private static final String PREFIX = EtcdLockOptions.defaults().keyPrefix();

    private static final Duration LEASE = Duration.ofSeconds(10);

    private static final List<Client> clients = new CopyOnWriteArrayList<>();

    private static EtcdServer server;

    @BeforeAll
    static void startServerWithAuthentication() throws Exception {
        server = EtcdServer.start();
        try (Client admin = Client.builder().endpoints(server.endpoint()).build()) {
            Auth auth = admin.getAuthClient();
            // etcd enables authentication only when a root user with the root role exists.
            join(auth.userAdd(bytes("root"), bytes("root-secret")));
            join(auth.roleAdd(bytes("root")));
            join(auth.userGrantRole(bytes("root"), bytes("root")));
            join(auth.roleAdd(bytes("distlock")));
            // The key range [prefix, prefix with its last byte plus one): every lock key and nothing else.
            join(auth.roleGrantPermission(bytes("distlock"), bytes(PREFIX), bytes(rangeEnd(PREFIX)),
                    Permission.Type.READWRITE));
            join(auth.userAdd(bytes("locker"), bytes("locker-secret")));
            join(auth.userGrantRole(bytes("locker"), bytes("distlock")));
            join(auth.userAdd(bytes("intruder"), bytes("intruder-secret")));
            join(auth.authEnable());
        }
    }

    @AfterAll
    static void stopServer() {
        clients.forEach(Client::close);
        clients.clear();
        server.close();
    }

    @Test
    void userWithTheLockRoleLocksRenewsAndReleases() {
        EtcdLeaseBackend backend = backend("locker", "locker-secret");
        String key = "auth-" + System.nanoTime();
        AcquireResult granted = backend.tryAcquire(key, "locker-owner", LEASE);
        assertThat(granted.isGranted()).isTrue();
        assertThat(backend.renewIfOwner(key, "locker-owner", LEASE)).isTrue();
        assertThat(backend.releaseIfOwner(key, "locker-owner")).isTrue();
    }

    @Test
    void userWithoutTheLockRoleCanNeitherTakeNorReadNorDeleteALockKey() throws Exception {
        EtcdLeaseBackend locker = backend("locker", "locker-secret");
        String key = "auth-" + System.nanoTime();
        assertThat(locker.tryAcquire(key, "locker-owner", LEASE).isGranted()).isTrue();

        EtcdLeaseBackend intruderBackend = backend("intruder", "intruder-secret");
        assertThatThrownBy(() -> intruderBackend.tryAcquire(key + "-free", "intruder-owner", LEASE))
            .isInstanceOf(EtcdUnavailableException.class)
            .hasStackTraceContaining("permission denied");
        Client intruder = client("intruder", "intruder-secret");
        ByteSequence stored = bytes(locker.storedKeyText(key));
        assertThatThrownBy(() -> intruder.getKVClient().get(stored).get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .hasMessageContaining("permission denied");
        assertThatThrownBy(() -> intruder.getKVClient().delete(stored).get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .hasMessageContaining("permission denied");

        assertThat(locker.renewIfOwner(key, "locker-owner", LEASE)).as("the holder keeps the key").isTrue();
        assertThat(locker.releaseIfOwner(key, "locker-owner")).isTrue();
    }

    private static EtcdLeaseBackend backend(String user, String password) {
        return EtcdTestClients.backend(client(user, password), server);
    }

    private static Client client(String user, String password) {
        Client client = Client.builder()
            .endpoints(server.endpoint())
            .connectTimeout(Duration.ofSeconds(1))
            .retryMaxDuration(Duration.ofSeconds(1))
            .user(bytes(user))
            .password(bytes(password))
            .build();
        clients.add(client);
        return client;
    }

    private static String rangeEnd(String prefix) {
        char last = prefix.charAt(prefix.length() - 1);
        return prefix.substring(0, prefix.length() - 1) + (char) (last + 1);
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    private static <T> T join(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

}
